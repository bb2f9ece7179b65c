// A route netlink socket that follows link and address notifications and survives the kernel
// dropping some. When notifications arrive faster than the loop reads them (a burst of thousands of
// address changes), the kernel drops what does not fit and reports ENOBUFS as a socket error
// (POLLERR). The netlink package's socket turns that into an uncaught C++ exception that aborts
// the process (found by test/robustness/netlink-overflow.mjs); here it is an error handed to the
// callback, after which the socket goes on reading, and the caller reads links and addresses again.
// Only the socket calls live here; messages are parsed in TypeScript (src/linux/netlink).
#include "shims.h"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <sys/socket.h>

namespace {

// new NetlinkWatchSocket({groups, receiveBufferBytes}, onMessages(error, bytes))
//   groups: RTMGRP_* bit mask; bytes: one datagram of one or more netlink messages, from the kernel.
// close()
class NetlinkWatchSocket : public PolledSocket<NetlinkWatchSocket> {
 public:
  // A notification is at most a page or two (NLMSG_GOODSIZE); a link message with every attribute
  // fits with room to spare.
  static constexpr size_t kMaxPayload = 65536;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkWatchSocket", {InstanceMethod("close", &NetlinkWatchSocket::Close)});
  }

  explicit NetlinkWatchSocket(const Napi::CallbackInfo& info) : PolledSocket<NetlinkWatchSocket>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsObject() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "new NetlinkWatchSocket(options: object, onMessages: function)").ThrowAsJavaScriptException();
      return;
    }
    Napi::Object options = info[0].As<Napi::Object>();
    Napi::Value groups = options.Get("groups");
    Napi::Value bufferBytes = options.Get("receiveBufferBytes");
    if (!groups.IsNumber() || !bufferBytes.IsNumber()) {
      Napi::TypeError::New(env, "options: {groups: number, receiveBufferBytes: number}").ThrowAsJavaScriptException();
      return;
    }
    const int64_t groupMask = groups.As<Napi::Number>().Int64Value();
    const int64_t bytes = bufferBytes.As<Napi::Number>().Int64Value();
    if (groupMask <= 0 || groupMask > UINT32_MAX || bytes <= 0 || bytes > INT32_MAX / 2) {
      Napi::RangeError::New(env, "groups must be a non-empty 32-bit mask, receiveBufferBytes positive").ThrowAsJavaScriptException();
      return;
    }

    if (!Open(env, AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "socket(AF_NETLINK, NETLINK_ROUTE)")) return;
    // SO_RCVBUFFORCE goes past net.core.rmem_max (root / CAP_NET_ADMIN, which vrrpd has); without
    // it SO_RCVBUF gives what rmem_max allows. A larger queue makes an overflow rarer, not impossible.
    const int size = static_cast<int>(bytes);
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 &&
        setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0) {
      Abandon(env, "setsockopt(SO_RCVBUF)");
      return;
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = static_cast<uint32_t>(groupMask);
    if (!Bind(env, reinterpret_cast<sockaddr*>(&local), sizeof(local))) return;

    StartPolling(env, info[1].As<Napi::Function>(), "NetlinkWatchSocket");
  }

  // onMessages(null, bytes); what another process sent (a port id other than the kernel's 0) is dropped.
  void Received(const Napi::Env& env, const uint8_t* payload, size_t length, const sockaddr_storage& from, msghdr& /*message*/) {
    if (reinterpret_cast<const sockaddr_nl*>(&from)->nl_pid != 0) return;
    Deliver({env.Null(), Napi::Buffer<uint8_t>::Copy(env, payload, length)});
  }
};

}  // namespace

void InitNetlinkWatchSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkWatchSocket", NetlinkWatchSocket::Define(env));
}
