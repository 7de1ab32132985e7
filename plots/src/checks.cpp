#include "checks.hpp"

#include <cmath>

#include "text.hpp"

namespace latentjam::plots {
namespace {

template <class T>
Status check_finite_values(std::span<const T> values, std::string_view what) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      return fail(std::string(what) + " has " + (std::isnan(values[i]) ? "NaN" : "infinity") +
                  " at index " + std::to_string(i));
    }
  }
  return Ok{};
}

}  // namespace

Status check_finite(std::span<const double> values, std::string_view what) {
  return check_finite_values(values, what);
}

Status check_finite(std::span<const float> values, std::string_view what) {
  return check_finite_values(values, what);
}

Status check_samples(std::span<const float> samples, std::string_view what) {
  if (samples.empty()) return fail(std::string(what) + " has no samples");
  return check_finite(samples, what);
}

Status check_sample_rate(double sample_rate) {
  if (!std::isfinite(sample_rate) || sample_rate <= 0.0) {
    return fail("the sample rate must be a positive number of Hz, not " +
                std::to_string(sample_rate));
  }
  return Ok{};
}

std::string quoted(std::string_view name) {
  return "'" + text::valid_utf8(name) + "'";
}

}  // namespace latentjam::plots
