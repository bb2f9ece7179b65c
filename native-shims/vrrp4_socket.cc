// A raw IPv4 socket for VRRP (IP protocol 112), as keepalived opens it: bound to the interface,
// TTL 255 (RFC 5798 §5.1.1.3), TOS 0xC0, multicast sent from our address on the interface and not
// looped back, groups joined on the interface. It replaces the raw-socket package for VRRP, which
// read one packet per turn of Node's loop and entered JavaScript twice per packet (a burst of a
// thousand advertisements took a thousand turns), and queued every send until the socket's next
// writable poll. Here each readable event reads every packet waiting (up to a bound), one call
// into JavaScript each, and a send leaves at once unless the kernel's buffer is full. Only the
// socket calls live here; all logic is TypeScript (src/linux/sockets/ipv4-vrrp-socket.ts).
//
// Each packet also comes with how long it waited between the kernel's receipt and its read
// (SO_TIMESTAMPNS): a Backup's Master_Down_Timer counts from the advertisement's arrival
// (RFC 5798 §6.4.2), not from when a busy loop got to it.
//
// new Vrrp4Socket({interfaceName, interfaceIndex, source: Buffer(4), groups: Buffer(4)[]},
//                 onPacket(error, payload?: Buffer, source?: string, destination?: string, ttl?: number, ageMs?: number))
// send(payload: Buffer, destination: Buffer(4)): bytes sent, or 0 when it waits for room
// close()
#include "shims.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <string>
#include <sys/socket.h>
#include <time.h>
#include <vector>

namespace {

constexpr int kVrrpProtocol = 112;
constexpr int kTtl = 255;
/** RFC 2474 class selector 6 (network control), as keepalived sets it. */
constexpr int kTos = 0xc0;
/**
 * The receive queue: a Master of a thousand instances sends their advertisements in bursts, and
 * the default (rmem_default, 208 KiB) holds about 270 of them while the loop is busy. Kernel
 * memory, used only while packets wait.
 */
constexpr int kReceiveBuffer = 1 << 20;
/**
 * Packets read per wake-up at most: a thousand-instance burst in four turns of the loop rather
 * than a thousand, and a flood of VRRP packets cannot hold the protocol timers for longer than
 * this many packets' processing at a time.
 */
constexpr size_t kReadsPerWakeup = 256;
constexpr size_t kMinHeader = 20;
/** An age beyond this is a wall-clock step between receipt and read, not a wait: not reported. */
constexpr int64_t kMaxAgeNs = 60 * 1000000000LL;

bool ReadAddress(const Napi::Value& value, in_addr* out) {
  if (!value.IsBuffer()) return false;
  Napi::Buffer<uint8_t> bytes = value.As<Napi::Buffer<uint8_t>>();
  if (bytes.Length() != 4) return false;
  std::memcpy(out, bytes.Data(), 4);
  return true;
}

// The daemon compares addresses as text; inet_ntop here saves JavaScript a conversion per packet.
Napi::String DottedQuad(const Napi::Env& env, const uint8_t* bytes) {
  char text[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, bytes, text, sizeof(text));
  return Napi::String::New(env, text);
}

class Vrrp4Socket : public PolledSocket<Vrrp4Socket> {
 public:
  static constexpr size_t kMaxPayload = 65536;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Vrrp4Socket", {InstanceMethod("send", &Vrrp4Socket::Send), InstanceMethod("close", &Vrrp4Socket::Close)});
  }

  explicit Vrrp4Socket(const Napi::CallbackInfo& info) : PolledSocket<Vrrp4Socket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "new Vrrp4Socket(options: object, onPacket: function)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object options = info[0].As<Napi::Object>();
    Napi::Value name = options.Get("interfaceName");
    Napi::Value index = options.Get("interfaceIndex");
    Napi::Value groups = options.Get("groups");
    in_addr source{};
    if (!name.IsString() || !index.IsNumber() || !groups.IsArray() || !ReadAddress(options.Get("source"), &source)) {
      Napi::TypeError::New(env, "options: {interfaceName: string, interfaceIndex: number, source: Buffer(4), groups: Buffer(4)[]}").ThrowAsJavaScriptException();
      return;
    }
    const std::string device = name.As<Napi::String>().Utf8Value();
    const int64_t interfaceIndex = index.As<Napi::Number>().Int64Value();
    if (device.empty() || device.size() >= IFNAMSIZ || interfaceIndex <= 0 || interfaceIndex > INT32_MAX) {
      Napi::RangeError::New(env, "interfaceName must be 1..15 bytes, interfaceIndex positive").ThrowAsJavaScriptException();
      return;
    }
    Napi::Array groupList = groups.As<Napi::Array>();
    std::vector<in_addr> groupAddresses(groupList.Length());
    for (uint32_t i = 0; i < groupList.Length(); i++) {
      if (!ReadAddress(groupList.Get(i), &groupAddresses[i])) {
        Napi::TypeError::New(env, "groups must be 4-byte Buffers").ThrowAsJavaScriptException();
        return;
      }
    }

    if (!Open(env, AF_INET, SOCK_RAW, kVrrpProtocol, "socket(AF_INET, SOCK_RAW, 112)")) return;
    const int ttl = kTtl, tos = kTos, off = 0, on = 1;
    ip_mreqn sendVia{};
    sendVia.imr_address = source;
    sendVia.imr_ifindex = static_cast<int>(interfaceIndex);
    const Option setup[] = {
        {SOL_SOCKET, SO_BINDTODEVICE, device.c_str(), static_cast<socklen_t>(device.size() + 1), "SO_BINDTODEVICE"},
        {IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl), "IP_TTL"},
        {IPPROTO_IP, IP_TOS, &tos, sizeof(tos), "IP_TOS"},
        {IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl), "IP_MULTICAST_TTL"},
        {IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off), "IP_MULTICAST_LOOP"},
        {IPPROTO_IP, IP_MULTICAST_IF, &sendVia, sizeof(sendVia), "IP_MULTICAST_IF"},
        {SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on), "SO_TIMESTAMPNS"},
    };
    if (!Configure(env, std::begin(setup), std::end(setup))) return;
    // As root (CAP_NET_ADMIN), FORCE goes past net.core.rmem_max; otherwise the kernel caps the
    // size at rmem_max and that is kept.
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBuffer, sizeof(kReceiveBuffer)) < 0) {
      (void)setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kReceiveBuffer, sizeof(kReceiveBuffer));
    }
    for (const in_addr& group : groupAddresses) {
      ip_mreqn membership{};
      membership.imr_multiaddr = group;
      membership.imr_ifindex = static_cast<int>(interfaceIndex);
      if (setsockopt(fd_, IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof(membership)) < 0) {
        Abandon(env, "setsockopt(IP_ADD_MEMBERSHIP)");
        return;
      }
    }
    readsPerWakeup_ = kReadsPerWakeup;
    StartPolling(env, info[1].As<Napi::Function>(), "Vrrp4Socket");
  }

  // onPacket(null, payload, source, destination, ttl, ageMs). A raw IPv4 socket hands over the IP
  // header too: the TTL and destination come from it, and it is stripped here.
  void Received(const Napi::Env& env, const uint8_t* packet, size_t length, const sockaddr_storage& /*from*/, msghdr& message) {
    if (length < kMinHeader || (packet[0] >> 4) != 4 || packet[9] != kVrrpProtocol) return;
    const size_t headerLength = (packet[0] & 0x0f) * 4u;
    const size_t totalLength = (static_cast<size_t>(packet[2]) << 8) | packet[3];
    if (headerLength < kMinHeader || headerLength > length || totalLength < headerLength) return;
    // The kernel may hand over more than the header's total length; trust the header's.
    const size_t end = totalLength < length ? totalLength : length;
    Deliver({env.Null(), Napi::Buffer<uint8_t>::Copy(env, packet + headerLength, end - headerLength), DottedQuad(env, packet + 12),
             DottedQuad(env, packet + 16), Napi::Number::New(env, packet[8]), Age(env, message)});
  }

 private:
  // The kernel stamps each packet on CLOCK_REALTIME, which the daemon does not use (its timers
  // are on CLOCK_MONOTONIC, immune to clock steps): what crosses over is the packet's age, read
  // against CLOCK_REALTIME now, in milliseconds; the caller subtracts it from its monotonic now.
  static Napi::Value Age(const Napi::Env& env, msghdr& message) {
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr; header = CMSG_NXTHDR(&message, header)) {
      if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec received{}, now{};
      std::memcpy(&received, CMSG_DATA(header), sizeof(received));
      clock_gettime(CLOCK_REALTIME, &now);
      const int64_t age = (static_cast<int64_t>(now.tv_sec) - received.tv_sec) * 1000000000LL + (now.tv_nsec - received.tv_nsec);
      if (age > kMaxAgeNs) return env.Undefined();
      return Napi::Number::New(env, age < 0 ? 0.0 : static_cast<double>(age) / 1e6);
    }
    return env.Undefined();
  }

  Napi::Value Send(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    sockaddr_in to{};
    to.sin_family = AF_INET;
    if (info.Length() != 2 || !info[0].IsBuffer() || !ReadAddress(info[1], &to.sin_addr)) {
      Napi::TypeError::New(env, "send(payload: Buffer, destination: Buffer(4))").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    return SendOrQueue(env, info[0].As<Napi::Buffer<uint8_t>>(), reinterpret_cast<sockaddr*>(&to), sizeof(to));
  }
};

}  // namespace

void InitVrrp4Socket(Napi::Env env, Napi::Object exports) {
  exports.Set("Vrrp4Socket", Vrrp4Socket::Define(env));
}
