#include "base/status.h"

#include <cstring>

namespace ktel {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kNotFound: return "not_found";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kUnavailable: return "unavailable";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kResourceExhausted: return "resource_exhausted";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kDataLoss: return "data_loss";
    case Code::kCancelled: return "cancelled";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out(code_name(code_));
  out += ": ";
  out += message_;
  if (errno_ != 0) {
    out += " (";
    out += std::strerror(errno_);
    out += ")";
  }
  return out;
}

Status Status::with_context(std::string_view context) const {
  if (is_ok()) return *this;
  std::string msg(context);
  msg += ": ";
  msg += message_;
  return Status(code_, std::move(msg), errno_);
}

Status errno_status(int err, std::string message) {
  Code code = Code::kInternal;
  switch (err) {
    case ENOENT:
    case ESRCH:
    case ENOTDIR: code = Code::kNotFound; break;
    case EACCES:
    case EPERM:
    case EROFS: code = Code::kPermissionDenied; break;
    case EEXIST: code = Code::kAlreadyExists; break;
    case ENOSPC:
    case EDQUOT:
    case EMFILE:
    case ENFILE:
    case ENOMEM: code = Code::kResourceExhausted; break;
    case EINVAL:
    case ENAMETOOLONG: code = Code::kInvalidArgument; break;
    case ENODEV:
    case ENOSYS:
    case EOPNOTSUPP:
    case ENOEXEC: code = Code::kUnavailable; break;
    case EINTR: code = Code::kCancelled; break;
    case EIO: code = Code::kDataLoss; break;
    default: code = Code::kInternal; break;
  }
  return Status(code, std::move(message), err);
}

Status invalid_argument(std::string message) {
  return Status(Code::kInvalidArgument, std::move(message));
}
Status not_found(std::string message) { return Status(Code::kNotFound, std::move(message)); }
Status unavailable(std::string message) { return Status(Code::kUnavailable, std::move(message)); }
Status internal_error(std::string message) { return Status(Code::kInternal, std::move(message)); }
Status data_loss(std::string message) { return Status(Code::kDataLoss, std::move(message)); }

}  // namespace ktel
