#include "canvas.hpp"

#include <cerrno>
#include <cstring>

namespace latentjam::plots {

Result<Canvas> Canvas::create(int width, int height) {
  // RGB24: the background is opaque, so the PNG needs no alpha channel.
  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface(
      cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height));
  if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) {
    return fail(std::string("cannot make an image: ") +
                cairo_status_to_string(cairo_surface_status(surface.get())));
  }
  std::unique_ptr<cairo_t, ContextDeleter> cr(cairo_create(surface.get()));
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) {
    return fail(std::string("cannot draw: ") + cairo_status_to_string(cairo_status(cr.get())));
  }
  cairo_set_source_rgb(cr.get(), 1, 1, 1);
  cairo_paint(cr.get());
  return Canvas(std::move(surface), std::move(cr), width, height);
}

Status Canvas::save(const std::string& png) const {
  if (png.empty()) return fail("no file name for the picture");
  if (const cairo_status_t s = cairo_status(cr_.get()); s != CAIRO_STATUS_SUCCESS) {
    return fail(std::string("drawing failed: ") + cairo_status_to_string(s));
  }
  cairo_surface_flush(surface_.get());
  // Cairo says only "error while writing to output stream"; errno from its fopen/fwrite says why.
  errno = 0;
  const cairo_status_t s = cairo_surface_write_to_png(surface_.get(), png.c_str());
  if (s != CAIRO_STATUS_SUCCESS) {
    std::string reason = cairo_status_to_string(s);
    if (errno != 0) reason = std::strerror(errno);
    return fail("cannot write " + png + ": " + reason);
  }
  return Ok{};
}

}  // namespace latentjam::plots
