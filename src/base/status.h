// Status and Result<T>: how every fallible ktel function reports failure.
// Shaped like std::expected (unavailable in g++ 12 / clang 14): a small fixed
// set of codes, the errno that caused it (0 if none) and a message naming the
// path, pid or CPU involved and, where possible, the fix.
#pragma once

#include <cerrno>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ktel {

enum class Code {
  kOk = 0,
  kInvalidArgument,    // bad user input: flag, file contents, SQL
  kNotFound,           // file, pid, command, table missing
  kPermissionDenied,   // EACCES/EPERM; the message says what privilege is needed
  kUnavailable,        // a kernel feature or tool is absent on this machine
  kAlreadyExists,      // refusing to overwrite
  kResourceExhausted,  // disk full, fd limit, buffer too small
  kFailedPrecondition, // a required earlier step did not happen
  kDataLoss,           // malformed or truncated data we were asked to read
  kCancelled,          // interrupted by a signal or the user
  kInternal,           // a bug in ktel
};

std::string_view code_name(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, int sys_errno = 0)
      : code_(code), errno_(sys_errno), message_(std::move(message)) {}

  static Status ok() { return {}; }

  bool is_ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // The errno that caused the failure, or 0.
  int sys_errno() const { return errno_; }
  const std::string& message() const { return message_; }

  // "code: message (strerror)" for terminals and logs.
  std::string to_string() const;

  // Prepends context: "while X: <message>". No-op on ok.
  Status with_context(std::string_view context) const;

 private:
  Code code_ = Code::kOk;
  int errno_ = 0;
  std::string message_;
};

// Maps an errno value to the fitting code; the message should name the
// operation and the object ("open /proc/12/stat").
Status errno_status(int err, std::string message);
// errno_status(errno, ...) with the current errno.
inline Status last_errno_status(std::string message) {
  return errno_status(errno, std::move(message));
}

Status invalid_argument(std::string message);
Status not_found(std::string message);
Status unavailable(std::string message);
Status internal_error(std::string message);
Status data_loss(std::string message);

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : data_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(data_).is_ok()) {
      data_ = Status(Code::kInternal, "Result constructed from an ok Status");
    }
  }

  bool is_ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return is_ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> data_;
};

namespace internal {
inline Status to_status(const Status& s) { return s; }
template <typename T>
Status to_status(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace ktel

#define KTEL_CONCAT_INNER(a, b) a##b
#define KTEL_CONCAT(a, b) KTEL_CONCAT_INNER(a, b)

// Returns the Status of `expr` (a Status or Result) from the enclosing function
// when it is not ok.
#define KTEL_TRY(expr)                                               \
  do {                                                               \
    auto&& ktel_try_value = (expr);                                  \
    if (!ktel_try_value.is_ok()) {                                   \
      return ::ktel::internal::to_status(ktel_try_value);            \
    }                                                                \
  } while (false)

// KTEL_ASSIGN_OR_RETURN(auto x, make_x()); — declares/assigns lhs from a
// Result, or returns its Status.
#define KTEL_ASSIGN_OR_RETURN(lhs, expr) \
  KTEL_ASSIGN_OR_RETURN_IMPL(KTEL_CONCAT(ktel_result_, __LINE__), lhs, expr)
#define KTEL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.is_ok()) {                              \
    return tmp.status();                           \
  }                                                \
  lhs = std::move(tmp).value()
