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

// new BfdSocket({family: 4|6, address?: Buffer(4|16), port: number, ttl: number, interfaceName?: string, poll?: boolean},
//               onDatagram(error, payload, source, sourcePort, destination, ttl))
// poll: false leaves the reading to another (the BfdPacer's thread, bfd_pacer.cc), which gets fd().
// send(payload: Buffer, destination: Buffer(4|16), port: number): bytes sent
// close()
class BfdSocket : public PolledSocket<BfdSocket> {
 public:
  // A BFD Control packet's Length field cannot exceed 255; a longer datagram is cut.
  static constexpr size_t kMaxPayload = 2048;
  // Read on the loop (not by a BfdPacer), a session's Detection Time orders against these packets
  // as a Master_Down_Timer does against VRRP's (shims.h, TimerOrderedSockets).
  static constexpr bool kOrdersTimers = true;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "BfdSocket", {InstanceMethod("send", &BfdSocket::Send), InstanceMethod("close", &BfdSocket::Close), InstanceMethod("fd", &BfdSocket::Fd)});
  }

  explicit BfdSocket(const Napi::CallbackInfo& info) : PolledSocket<BfdSocket>(info) {
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
    if (address.IsBuffer() && address.As<Napi::Buffer<uint8_t>>().Length() != AddressLength()) {
      Napi::TypeError::New(env, "address must be a 4-byte (IPv4) or 16-byte (IPv6) Buffer").ThrowAsJavaScriptException();
      return;
    }

    if (!Open(env, v6_ ? AF_INET6 : AF_INET, SOCK_DGRAM, IPPROTO_UDP, v6_ ? "socket(AF_INET6, SOCK_DGRAM)" : "socket(AF_INET, SOCK_DGRAM)")) return;
    const int on = 1, hopValue = static_cast<int>(hops);
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
    const bool configured = v6_ ? Configure(env, std::begin(v6), std::end(v6)) : Configure(env, std::begin(v4), std::end(v4));
    if (!configured) return;
    if (!deviceName.empty()) {
      const Option bindToDevice[] = {{SOL_SOCKET, SO_BINDTODEVICE, deviceName.c_str(), static_cast<socklen_t>(deviceName.size() + 1), "SO_BINDTODEVICE"}};
      if (!Configure(env, std::begin(bindToDevice), std::end(bindToDevice))) return;
    }
    sockaddr_storage local{};
    const socklen_t localLength = Endpoint(&local, address.IsBuffer() ? address.As<Napi::Buffer<uint8_t>>().Data() : nullptr, static_cast<uint16_t>(portNumber));
    if (!Bind(env, reinterpret_cast<sockaddr*>(&local), localLength)) return;
    if (options.Get("poll").ToBoolean().Value() || options.Get("poll").IsUndefined()) StartPolling(env, info[1].As<Napi::Function>(), "BfdSocket");
  }

  // onDatagram(null, payload, source, sourcePort, destination, ttl)
  void Received(const Napi::Env& env, const uint8_t* payload, size_t length, const sockaddr_storage& from, msghdr& message) {
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
    Deliver({env.Null(), Napi::Buffer<uint8_t>::Copy(env, payload, length), source, Napi::Number::New(env, sourcePort), destination,
             ttl < 0 ? env.Undefined() : Napi::Number::New(env, ttl)});
  }

 private:
  size_t AddressLength() const { return v6_ ? 16 : 4; }

  // The socket address of this family for `address` (nullptr: the wildcard) and `port`; its length.
  socklen_t Endpoint(sockaddr_storage* out, const uint8_t* address, uint16_t port) const {
    if (v6_) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(port);
      if (address != nullptr) std::memcpy(&sin6->sin6_addr, address, 16);
      return sizeof(sockaddr_in6);
    }
    auto* sin = reinterpret_cast<sockaddr_in*>(out);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (address != nullptr) std::memcpy(&sin->sin_addr, address, 4);
    return sizeof(sockaddr_in);
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 3 || !info[0].IsBuffer() || !info[1].IsBuffer() || info[1].As<Napi::Buffer<uint8_t>>().Length() != AddressLength() ||
        !info[2].IsNumber()) {
      Napi::TypeError::New(env, "send(payload: Buffer, destination: Buffer(4|16, the socket's family), port: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    sockaddr_storage to{};
    const socklen_t toLength = Endpoint(&to, info[1].As<Napi::Buffer<uint8_t>>().Data(), static_cast<uint16_t>(info[2].As<Napi::Number>().Uint32Value()));
    return SendTo(env, info[0].As<Napi::Buffer<uint8_t>>(), reinterpret_cast<sockaddr*>(&to), toLength);
  }

  Napi::Value Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

  bool v6_ = false;
};

}  // namespace

void InitBfdSocket(Napi::Env env, Napi::Object exports) { exports.Set("BfdSocket", BfdSocket::Define(env)); }
