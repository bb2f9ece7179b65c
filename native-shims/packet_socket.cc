// The one thing Node and raw-socket cannot do for vrrpd: send a whole Ethernet frame on an
// interface (AF_PACKET), which gratuitous ARP needs (RFC 5798 §6.4.2; keepalived's format).
#include <napi.h>

#include "shims.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

namespace {

Napi::Value Fail(const Napi::Env& env, const std::string& what, int error) {
  KernelError(env, what, error).ThrowAsJavaScriptException();
  return env.Undefined();
}

// One sending socket for the life of the process. Closing an AF_PACKET socket waits for an RCU
// grace period (packet_release -> synchronize_net): with a socket per frame, each gratuitous ARP
// cost ~3 ms of blocked event loop, and a Master announcing 254 VIPs five times stopped
// advertising for seconds (found by the scale benchmark). Protocol 0: it only sends, never receives.
int SendingSocket() {
  static int fd = -1;
  if (fd < 0) fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  return fd;
}

// openPacketSocket(): opens the sending socket now rather than at the first frame, which is the
// moment of failover: the first gratuitous ARP of a new Backup-turned-Master left 0.6 ms after
// its advertisement with the socket opened then, against keepalived's 0.07 (20 ms adverts).
Napi::Value OpenPacketSocket(const Napi::CallbackInfo& info) {
  if (SendingSocket() < 0) return Fail(info.Env(), "socket(AF_PACKET)", errno);
  return info.Env().Undefined();
}

// sendFrame(interfaceIndex: number, frame: Buffer): number of bytes sent.
// The frame is complete (destination MAC first); the kernel adds nothing.
Napi::Value SendFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsNumber() || !info[1].IsBuffer()) {
    Napi::TypeError::New(env, "sendFrame(interfaceIndex: number, frame: Buffer)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int64_t index = info[0].As<Napi::Number>().Int64Value();
  Napi::Buffer<uint8_t> frame = info[1].As<Napi::Buffer<uint8_t>>();
  if (index <= 0 || index > INT32_MAX) {
    Napi::RangeError::New(env, "interfaceIndex must be a positive interface index").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (frame.Length() < ETH_HLEN || frame.Length() > 65535) {
    Napi::RangeError::New(env, "frame must hold an Ethernet header and at most 65535 bytes").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  const int fd = SendingSocket();
  if (fd < 0) return Fail(env, "socket(AF_PACKET)", errno);

  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = static_cast<int>(index);
  address.sll_halen = ETH_ALEN;
  std::memcpy(address.sll_addr, frame.Data(), ETH_ALEN);

  const ssize_t sent = sendto(fd, frame.Data(), frame.Length(), 0, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  const int sendError = errno;
  if (sent < 0) return Fail(env, "sendto(AF_PACKET)", sendError);
  return Napi::Number::New(env, static_cast<double>(sent));
}

}  // namespace

void RegisterPacketSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("sendFrame", Napi::Function::New(env, SendFrame));
  exports.Set("openPacketSocket", Napi::Function::New(env, OpenPacketSocket));
}
