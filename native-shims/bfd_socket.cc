// A UDP socket for BFD that tells, per datagram, the TTL / hop limit and the destination address
// it arrived with (recvmsg with IP_RECVTTL + IP_PKTINFO, or IPV6_RECVHOPLIMIT + IPV6_RECVPKTINFO):
// RFC 5881 §5 discards single-hop packets whose TTL is not 255 and RFC 5883 checks a hop count,
// and Node's dgram reports neither. Only the socket calls live here; addresses are 4- or 16-byte
// buffers and all logic is TypeScript (src/linux/bfd/sockets.ts).
#include "shims.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <memory>
#include <net/if.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

namespace {

// new BfdSocket({family: 4|6, address?: Buffer(4|16), port: number, ttl: number, interfaceName?: string},
//               onDatagram(error, payload, source, sourcePort, destination, ttl))
// send(payload: Buffer, destination: Buffer(4|16), port: number): bytes sent
// close()
class BfdSocket : public Napi::ObjectWrap<BfdSocket> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "BfdSocket", {InstanceMethod("send", &BfdSocket::Send), InstanceMethod("close", &BfdSocket::Close)});
  }

  explicit BfdSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BfdSocket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "new BfdSocket(options: object, onDatagram: function)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object options = info[0].As<Napi::Object>();
    Napi::Value family = options.Get("family");
    Napi::Value address = options.Get("address");
    Napi::Value port = options.Get("port");
    Napi::Value ttl = options.Get("ttl");
    Napi::Value device = options.Get("interfaceName");
    if (!family.IsNumber() || !port.IsNumber() || !ttl.IsNumber() || (!address.IsUndefined() && !address.IsBuffer()) ||
        (!device.IsUndefined() && !device.IsString())) {
      Napi::TypeError::New(env, "options: {family: 4|6, address?: Buffer, port: number, ttl: number, interfaceName?: string}").ThrowAsJavaScriptException();
      return;
    }
    const int64_t familyNumber = family.As<Napi::Number>().Int64Value();
    const int64_t portNumber = port.As<Napi::Number>().Int64Value();
    const int64_t hops = ttl.As<Napi::Number>().Int64Value();
    const std::string deviceName = device.IsString() ? device.As<Napi::String>().Utf8Value() : "";
    if ((familyNumber != 4 && familyNumber != 6) || portNumber < 0 || portNumber > 65535 || hops < 1 || hops > 255 || deviceName.size() >= IFNAMSIZ) {
      Napi::RangeError::New(env, "family must be 4 or 6, port 0..65535, ttl 1..255, interfaceName shorter than 16 bytes").ThrowAsJavaScriptException();
      return;
    }
    v6_ = familyNumber == 6;
    const size_t addressLength = v6_ ? 16 : 4;
    if (address.IsBuffer() && address.As<Napi::Buffer<uint8_t>>().Length() != addressLength) {
      Napi::TypeError::New(env, "address must be a 4-byte (IPv4) or 16-byte (IPv6) Buffer").ThrowAsJavaScriptException();
      return;
    }

    fd_ = socket(v6_ ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd_ < 0) {
      KernelError(env, v6_ ? "socket(AF_INET6, SOCK_DGRAM)" : "socket(AF_INET, SOCK_DGRAM)", errno).ThrowAsJavaScriptException();
      return;
    }
    const int on = 1, hopValue = static_cast<int>(hops);
    struct Option {
      int level, name;
      const void* value;
      socklen_t length;
      const char* what;
    };
    const Option v4[] = {
        {IPPROTO_IP, IP_RECVTTL, &on, sizeof(on), "IP_RECVTTL"},
        {IPPROTO_IP, IP_PKTINFO, &on, sizeof(on), "IP_PKTINFO"},
        {IPPROTO_IP, IP_TTL, &hopValue, sizeof(hopValue), "IP_TTL"},
    };
    const Option v6[] = {
        {IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on), "IPV6_V6ONLY"},
        {IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on), "IPV6_RECVHOPLIMIT"},
        {IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on), "IPV6_RECVPKTINFO"},
        {IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hopValue, sizeof(hopValue), "IPV6_UNICAST_HOPS"},
    };
    const Option* first = v6_ ? std::begin(v6) : std::begin(v4);
    const Option* last = v6_ ? std::end(v6) : std::end(v4);
    for (const Option* option = first; option != last; option++) {
      if (setsockopt(fd_, option->level, option->name, option->value, option->length) < 0) {
        Abandon(env, std::string("setsockopt(") + option->what + ")");
        return;
      }
    }
    if (!deviceName.empty() && setsockopt(fd_, SOL_SOCKET, SO_BINDTODEVICE, deviceName.c_str(), static_cast<socklen_t>(deviceName.size() + 1)) < 0) {
      Abandon(env, "setsockopt(SO_BINDTODEVICE)");
      return;
    }
    sockaddr_storage local{};
    socklen_t localLength;
    if (v6_) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&local);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(static_cast<uint16_t>(portNumber));
      if (address.IsBuffer()) std::memcpy(&sin6->sin6_addr, address.As<Napi::Buffer<uint8_t>>().Data(), 16);
      localLength = sizeof(sockaddr_in6);
    } else {
      auto* sin = reinterpret_cast<sockaddr_in*>(&local);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(static_cast<uint16_t>(portNumber));
      if (address.IsBuffer()) std::memcpy(&sin->sin_addr, address.As<Napi::Buffer<uint8_t>>().Data(), 4);
      localLength = sizeof(sockaddr_in);
    }
    if (bind(fd_, reinterpret_cast<sockaddr*>(&local), localLength) < 0) {
      Abandon(env, "bind");
      return;
    }

    const char* failed = nullptr;
    poll_ = NewPoll(env, fd_, this, failed);
    if (poll_ == nullptr) {
      Abandon(env, failed);
      return;
    }
    onDatagram_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "BfdSocket");
    uv_poll_start(poll_, UV_READABLE, &BfdSocket::OnReadable);
    Ref();  // alive while polling, even with no JS reference: close() lets go.
    cleanup_.Attach(env, [](void* self) { static_cast<BfdSocket*>(self)->Shutdown(); }, this);
  }

  ~BfdSocket() override {
    cleanup_.Detach();
    Shutdown();
  }

 private:
  void Abandon(const Napi::Env& env, const std::string& what) {
    const int error = errno;
    close(fd_);
    fd_ = -1;
    KernelError(env, what, error).ThrowAsJavaScriptException();
  }

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) { static_cast<BfdSocket*>(handle->data)->Drain(status); }

  void Drain(int status) {
    Napi::Env env = onDatagram_.Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      Deliver({Napi::Error::New(env, std::string("poll: ") + uv_strerror(status)).Value()});
      return;
    }
    // Several datagrams may be waiting; read until the kernel has none (the socket is non-blocking).
    while (fd_ >= 0) {
      uint8_t payload[2048];
      sockaddr_storage from{};
      alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + 64];
      iovec vector{payload, sizeof(payload)};
      msghdr message{};
      message.msg_name = &from;
      message.msg_namelen = sizeof(from);
      message.msg_iov = &vector;
      message.msg_iovlen = 1;
      message.msg_control = control;
      message.msg_controllen = sizeof(control);
      const ssize_t length = recvmsg(fd_, &message, 0);
      if (length < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return;
        if (errno == EINTR) continue;
        Deliver({KernelError(env, "recvmsg", errno).Value()});
        return;
      }
      int ttl = -1;
      Napi::Value destination = env.Undefined();
      for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_TTL) std::memcpy(&ttl, CMSG_DATA(header), sizeof(ttl));
        if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_HOPLIMIT) std::memcpy(&ttl, CMSG_DATA(header), sizeof(ttl));
        if (header->cmsg_level == IPPROTO_IP && header->cmsg_type == IP_PKTINFO) {
          const auto* info = reinterpret_cast<const in_pktinfo*>(CMSG_DATA(header));
          destination = Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&info->ipi_addr), 4);
        }
        if (header->cmsg_level == IPPROTO_IPV6 && header->cmsg_type == IPV6_PKTINFO) {
          const auto* info = reinterpret_cast<const in6_pktinfo*>(CMSG_DATA(header));
          destination = Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&info->ipi6_addr), 16);
        }
      }
      Napi::Value source;
      uint16_t sourcePort;
      if (from.ss_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(&from);
        source = Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&sin6->sin6_addr), 16);
        sourcePort = ntohs(sin6->sin6_port);
      } else {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(&from);
        source = Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&sin->sin_addr), 4);
        sourcePort = ntohs(sin->sin_port);
      }
      // A longer datagram is cut to the buffer; a BFD packet's Length field cannot exceed 255.
      const size_t kept = static_cast<size_t>(length) < sizeof(payload) ? static_cast<size_t>(length) : sizeof(payload);
      Deliver({env.Null(), Napi::Buffer<uint8_t>::Copy(env, payload, kept), source, Napi::Number::New(env, sourcePort), destination,
               ttl < 0 ? env.Undefined() : Napi::Number::New(env, ttl)});
    }
  }

  void Deliver(const std::initializer_list<napi_value>& args) { CallFromLoop(onDatagram_, *context_, args); }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const size_t addressLength = v6_ ? 16 : 4;
    if (info.Length() != 3 || !info[0].IsBuffer() || !info[1].IsBuffer() || info[1].As<Napi::Buffer<uint8_t>>().Length() != addressLength ||
        !info[2].IsNumber()) {
      Napi::TypeError::New(env, "send(payload: Buffer, destination: Buffer(4|16, the socket's family), port: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) {
      Napi::Error::New(env, "send: the socket is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    sockaddr_storage to{};
    socklen_t toLength;
    const uint16_t port = static_cast<uint16_t>(info[2].As<Napi::Number>().Uint32Value());
    if (v6_) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(&to);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(port);
      std::memcpy(&sin6->sin6_addr, info[1].As<Napi::Buffer<uint8_t>>().Data(), 16);
      toLength = sizeof(sockaddr_in6);
    } else {
      auto* sin = reinterpret_cast<sockaddr_in*>(&to);
      sin->sin_family = AF_INET;
      sin->sin_port = htons(port);
      std::memcpy(&sin->sin_addr, info[1].As<Napi::Buffer<uint8_t>>().Data(), 4);
      toLength = sizeof(sockaddr_in);
    }
    Napi::Buffer<uint8_t> payload = info[0].As<Napi::Buffer<uint8_t>>();
    const ssize_t sent = sendto(fd_, payload.Data(), payload.Length(), 0, reinterpret_cast<sockaddr*>(&to), toLength);
    if (sent < 0) {
      KernelError(env, "sendto", errno).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return Napi::Number::New(env, static_cast<double>(sent));
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) {
      cleanup_.Detach();
      Shutdown();
      Unref();
    }
    return info.Env().Undefined();
  }

  void Shutdown() { ClosePolled(poll_, fd_); }

  EnvCleanup cleanup_;
  bool v6_ = false;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onDatagram_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitBfdSocket(Napi::Env env, Napi::Object exports) { exports.Set("BfdSocket", BfdSocket::Define(env)); }
