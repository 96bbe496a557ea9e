// Errors as values at stage boundaries: a Result<T> holds either a T or an Error.
// Exceptions are kept for start-up and configuration; nothing here throws.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vigie {

// What went wrong, in one line a user can act on ("cannot open 'x.avi': No such file").
struct Error {
  std::string message;
};

// What an operation that only succeeds or fails returns when it succeeds: Result<Ok>.
struct Ok {};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit on purpose
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit on purpose

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }

  // Precondition: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T operator*() && { return std::move(value()); }

  // Precondition: !ok().
  const Error& error() const { return std::get<Error>(v_); }

 private:
  std::variant<T, Error> v_;
};

}  // namespace vigie
