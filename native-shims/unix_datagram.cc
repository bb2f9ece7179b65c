// sd_notify's transport, which Node cannot speak: one datagram on an AF_UNIX SOCK_DGRAM socket
// (node:dgram has udp4/udp6 only, node:net unix sockets are streams). A name starting with '@' is
// in the abstract namespace, as systemd passes NOTIFY_SOCKET (sd_notify(3)).
#include <napi.h>

#include "shims.h"

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>


namespace {

// sendUnixDatagram(path: string, message: Buffer): number of bytes sent.
Napi::Value SendUnixDatagram(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsString() || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "sendUnixDatagram(path: string, message: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  Napi::Buffer<uint8_t> message = info[1].As<Napi::Buffer<uint8_t>>();

  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  // Abstract names may fill sun_path entirely (no terminating NUL); file paths need one.
  const bool abstract = !path.empty() && path[0] == '@';
  if (path.empty() || path.size() > sizeof(address.sun_path) - (abstract ? 0 : 1)) {
    Napi::RangeError::New(env, "path must be 1.." + std::to_string(sizeof(address.sun_path) - 1) + " bytes").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::memcpy(address.sun_path, path.data(), path.size());
  if (abstract) address.sun_path[0] = '\0';
  const socklen_t length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 0 : 1));

  const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    Napi::Error failure = Napi::Error::New(env, std::string("socket(AF_UNIX): ") + std::strerror(errno));
    failure.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const ssize_t sent = sendto(fd, message.Data(), message.Length(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address), length);
  const int sendError = errno;
  close(fd);
  if (sent < 0) {
    Napi::Error failure = Napi::Error::New(env, std::string("sendto(") + path + "): " + std::strerror(sendError));
    failure.Set("errno", Napi::Number::New(env, sendError));
    failure.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(sent));
}

}  // namespace

void RegisterUnixDatagram(Napi::Env env, Napi::Object exports) {
  exports.Set("sendUnixDatagram", Napi::Function::New(env, SendUnixDatagram));
}
