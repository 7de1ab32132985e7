// A white image to draw on, and writing it to a PNG with every Cairo error turned into a Status.
#pragma once

#include <cairo.h>

#include <memory>
#include <string>

#include "latentjam/base/result.hpp"

namespace latentjam::plots {

class Canvas {
 public:
  static Result<Canvas> create(int width, int height);

  cairo_t* cr() const { return cr_.get(); }
  int width() const { return width_; }
  int height() const { return height_; }

  // Fails when drawing went wrong (Cairo stops drawing at its first error) or the file cannot be
  // written, with the reason.
  Status save(const std::string& png) const;

 private:
  struct SurfaceDeleter {
    void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
  };
  struct ContextDeleter {
    void operator()(cairo_t* c) const { cairo_destroy(c); }
  };
  Canvas(std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface,
         std::unique_ptr<cairo_t, ContextDeleter> cr, int width, int height)
      : surface_(std::move(surface)), cr_(std::move(cr)), width_(width), height_(height) {}

  std::unique_ptr<cairo_surface_t, SurfaceDeleter> surface_;
  std::unique_ptr<cairo_t, ContextDeleter> cr_;
  int width_ = 0, height_ = 0;
};

}  // namespace latentjam::plots
