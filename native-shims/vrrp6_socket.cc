// A raw IPv6 socket for VRRP (IP protocol 112) that tells, per packet, the hop limit and the
// destination it arrived with (recvmsg with IPV6_RECVHOPLIMIT / IPV6_RECVPKTINFO): RFC 5798 §7.1
// requires rejecting a hop limit other than 255, and neither Node nor raw-socket can report it.
// Only the socket calls live here; addresses are 16-byte buffers and all logic is TypeScript
// (src/linux/sockets/ipv6-vrrp-socket.ts).
#include "shims.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>
#include <net/if.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

namespace {

constexpr int kVrrpProtocol = 112;
/** RFC 5798 §5.2.8: the checksum is the 16-bit field at offset 6 of the VRRP message. */
constexpr int kChecksumOffset = 6;

bool ReadAddress(const Napi::Value& value, in6_addr* out) {
  if (!value.IsBuffer()) return false;
  Napi::Buffer<uint8_t> bytes = value.As<Napi::Buffer<uint8_t>>();
  if (bytes.Length() != 16) return false;
  std::memcpy(out, bytes.Data(), 16);
  return true;
}

Napi::Buffer<uint8_t> AddressBuffer(const Napi::Env& env, const in6_addr& address) {
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(&address), 16);
}

// new Vrrp6Socket({interfaceName, interfaceIndex, source?: Buffer(16), hopLimit, groups: Buffer[], kernelChecksum?},
//                 onPacket(error, payload, source, destination, hopLimit))
// send(payload: Buffer, destination: Buffer(16), scopeId: number): bytes sent (0 when the signal
//   handler's resignation suppresses it, signal_resignation.cc)
// armResignation(payload: Buffer, destination: Buffer(16), scopeId: number): a slot for the SIGTERM handler, or -1
// close()
class Vrrp6Socket : public PolledSocket<Vrrp6Socket> {
 public:
  static constexpr size_t kMaxPayload = 65536;
  // A Backup's Master_Down_Timer orders against these packets (shims.h, TimerOrderedSockets).
  static constexpr bool kOrdersTimers = true;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Vrrp6Socket", {InstanceMethod("send", &Vrrp6Socket::Send), InstanceMethod("armResignation", &Vrrp6Socket::Arm), InstanceMethod("close", &Vrrp6Socket::Close)});
  }

  explicit Vrrp6Socket(const Napi::CallbackInfo& info) : PolledSocket<Vrrp6Socket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "new Vrrp6Socket(options: object, onPacket: function)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object options = info[0].As<Napi::Object>();
    Napi::Value name = options.Get("interfaceName");
    Napi::Value index = options.Get("interfaceIndex");
    Napi::Value hopLimit = options.Get("hopLimit");
    Napi::Value groups = options.Get("groups");
    Napi::Value source = options.Get("source");
    // kernelChecksum false: the kernel neither fills nor verifies it (vrrpd watch reports bad ones).
    Napi::Value kernelChecksum = options.Get("kernelChecksum");
    in6_addr sourceAddress{};
    if (!name.IsString() || !index.IsNumber() || !hopLimit.IsNumber() || !groups.IsArray() ||
        (!source.IsUndefined() && !ReadAddress(source, &sourceAddress)) || (!kernelChecksum.IsUndefined() && !kernelChecksum.IsBoolean())) {
      Napi::TypeError::New(env, "options: {interfaceName: string, interfaceIndex: number, hopLimit: number, groups: Buffer[], source?: Buffer(16), kernelChecksum?: boolean}")
          .ThrowAsJavaScriptException();
      return;
    }
    const std::string device = name.As<Napi::String>().Utf8Value();
    const int64_t interfaceIndex = index.As<Napi::Number>().Int64Value();
    const int64_t hops = hopLimit.As<Napi::Number>().Int64Value();
    if (device.empty() || device.size() >= IFNAMSIZ || interfaceIndex <= 0 || interfaceIndex > INT32_MAX || hops < 1 || hops > 255) {
      Napi::RangeError::New(env, "interfaceName must be 1..15 bytes, interfaceIndex positive, hopLimit 1..255").ThrowAsJavaScriptException();
      return;
    }
    Napi::Array groupList = groups.As<Napi::Array>();
    std::vector<in6_addr> groupAddresses(groupList.Length());
    for (uint32_t i = 0; i < groupList.Length(); i++) {
      if (!ReadAddress(groupList.Get(i), &groupAddresses[i])) {
        Napi::TypeError::New(env, "groups must be 16-byte Buffers").ThrowAsJavaScriptException();
        return;
      }
    }

    if (!Open(env, AF_INET6, SOCK_RAW, kVrrpProtocol, "socket(AF_INET6, SOCK_RAW, 112)")) return;
    const bool byKernel = kernelChecksum.IsUndefined() || kernelChecksum.As<Napi::Boolean>().Value();
    const int on = 1, off = 0, checksum = byKernel ? kChecksumOffset : -1, ttl = static_cast<int>(hops), ifindex = static_cast<int>(interfaceIndex);
    const Option setup[] = {
        {SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1), "SO_BINDTODEVICE"},
        {IPPROTO_IPV6, IPV6_CHECKSUM, &checksum, sizeof(checksum), "IPV6_CHECKSUM"},
        {IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on), "IPV6_RECVHOPLIMIT"},
        {IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on), "IPV6_RECVPKTINFO"},
        {IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl), "IPV6_UNICAST_HOPS"},
        {IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &ttl, sizeof(ttl), "IPV6_MULTICAST_HOPS"},
        {IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off), "IPV6_MULTICAST_LOOP"},
        {IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex), "IPV6_MULTICAST_IF"},
    };
    if (!Configure(env, std::begin(setup), std::end(setup))) return;
    for (const in6_addr& group : groupAddresses) {
      ipv6_mreq membership{};
      membership.ipv6mr_multiaddr = group;
      membership.ipv6mr_interface = static_cast<unsigned>(ifindex);
      if (setsockopt(fd_, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &membership, sizeof(membership)) < 0) {
        Abandon(env, "setsockopt(IPV6_ADD_MEMBERSHIP)");
        return;
      }
    }
    if (!source.IsUndefined()) {
      // RFC 5798 §5.1.2.1: adverts come from the interface's link-local address, which needs the
      // interface as scope; a global unicast_src_ip is bound without one.
      sockaddr_in6 local{};
      local.sin6_family = AF_INET6;
      local.sin6_addr = sourceAddress;
      if (IN6_IS_ADDR_LINKLOCAL(&sourceAddress)) local.sin6_scope_id = static_cast<uint32_t>(ifindex);
      if (!Bind(env, reinterpret_cast<sockaddr*>(&local), sizeof(local))) return;
    }

    StartPolling(env, info[1].As<Napi::Function>(), "Vrrp6Socket");
  }

  // onPacket(null, payload, source, destination, hopLimit)
  void Received(const Napi::Env& env, const uint8_t* payload, size_t length, const sockaddr_storage& from, msghdr& message) {
    in6_addr destination{};
    int hopLimit = -1;
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level != IPPROTO_IPV6) continue;
      if (header->cmsg_type == IPV6_PKTINFO) destination = reinterpret_cast<in6_pktinfo*>(CMSG_DATA(header))->ipi6_addr;
      if (header->cmsg_type == IPV6_HOPLIMIT) std::memcpy(&hopLimit, CMSG_DATA(header), sizeof(hopLimit));
    }
    Deliver({env.Null(), Napi::Buffer<uint8_t>::Copy(env, payload, length), AddressBuffer(env, reinterpret_cast<const sockaddr_in6*>(&from)->sin6_addr),
             AddressBuffer(env, destination), hopLimit < 0 ? env.Undefined() : Napi::Number::New(env, hopLimit)});
  }

 private:
  // The (payload, destination, scopeId) of send and armResignation; false, with a TypeError naming `usage`, when they are not that.
  static bool ReadOutgoing(const Napi::CallbackInfo& info, const char* usage, sockaddr_in6* to) {
    *to = {};
    to->sin6_family = AF_INET6;
    if (info.Length() != 3 || !info[0].IsBuffer() || !ReadAddress(info[1], &to->sin6_addr) || !info[2].IsNumber()) {
      Napi::TypeError::New(info.Env(), usage).ThrowAsJavaScriptException();
      return false;
    }
    to->sin6_scope_id = info[2].As<Napi::Number>().Uint32Value();
    return true;
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    sockaddr_in6 to;
    if (!ReadOutgoing(info, "send(payload: Buffer, destination: Buffer(16), scopeId: number)", &to)) return env.Undefined();
    Napi::Buffer<uint8_t> payload = info[0].As<Napi::Buffer<uint8_t>>();
    // The signal handler resigned for this process (signal_resignation.cc): nothing that undoes it.
    if (ResignationSuppresses(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to), payload.Data(), payload.Length())) return Napi::Number::New(env, 0);
    return SendTo(env, payload, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }

  // armResignation(payload, destination: Buffer(16), scopeId): the slot of this priority-0 advertisement, or -1.
  Napi::Value Arm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    sockaddr_in6 to;
    if (!ReadOutgoing(info, "armResignation(payload: Buffer, destination: Buffer(16), scopeId: number)", &to)) return env.Undefined();
    Napi::Buffer<uint8_t> payload = info[0].As<Napi::Buffer<uint8_t>>();
    return Napi::Number::New(env, ArmResignation(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to), payload.Data(), payload.Length()));
  }
};

}  // namespace

void InitVrrp6Socket(Napi::Env env, Napi::Object exports) {
  exports.Set("Vrrp6Socket", Vrrp6Socket::Define(env));
}
