// A value or a human-readable reason why there is none. Used across latentjam's libraries so that
// failures travel as data (and end up in an OSC /fail) instead of exceptions crossing threads.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace latentjam {

struct Error {
  std::string message;
};

template <class T>
class Result {
 public:
  Result(T value)
      : state_(std::move(value)) {}  // NOLINT: implicit on purpose, reads like `return x;`
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const std::string& error() const { return std::get<Error>(state_).message; }

 private:
  std::variant<T, Error> state_;
};

// For operations that return nothing on success.
struct Ok {};
using Status = Result<Ok>;

inline Error fail(std::string message) {
  return Error{std::move(message)};
}

}  // namespace latentjam
