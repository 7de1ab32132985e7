// Input checks shared by the pictures. The reasons name the series, group or sound at fault so that
// the caller (and the performer reading the trainer's log) can find it.
#pragma once

#include <exception>
#include <span>
#include <string>
#include <string_view>

#include "latentjam/base/result.hpp"

namespace latentjam::plots {

// Fails when a value is NaN or infinite: "<what> has NaN at index 3".
Status check_finite(std::span<const double> values, std::string_view what);
Status check_finite(std::span<const float> values, std::string_view what);

// Fails on no samples or a non-finite one.
Status check_samples(std::span<const float> samples, std::string_view what);

Status check_sample_rate(double sample_rate);

// A user-given name in quotes, for messages.
std::string quoted(std::string_view name);

// Runs body and prefixes its error with `what`; an exception (only memory, in practice) becomes an
// error too, because the pictures promise never to throw.
template <class Body>
Status guarded(std::string_view what, Body&& body) noexcept {
  try {
    Status status = body();
    if (!status) return fail(std::string(what) + ": " + status.error());
    return status;
  } catch (const std::exception& e) {
    return fail(std::string(what) + ": " + e.what());
  } catch (...) {
    return fail(std::string(what) + ": unknown failure");
  }
}

}  // namespace latentjam::plots
