// A route netlink request answered in the same call: the message is sent and its acknowledgement
// read at once, without a turn of the event loop. rtnetlink handles a request inside sendmsg(2)
// (netlink_rcv_skb under rtnl_lock), so the answer is already queued when sendmsg returns; keepalived
// adds a VIP the same way (netlink_talk) before its gratuitous ARPs. Through the netlink package the
// add of a Backup taking over waited for the loop to poll the answer, with the address notification
// read and handled first: 0.5-1 ms between the advertisement and the gratuitous ARP (issue 16).
// Only the socket calls live here; messages are built and errors named in TypeScript.
#include "shims.h"

#include <cerrno>
#include <cstring>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace {

// new NetlinkRequestSocket()
// request(message: Buffer): 0, or the kernel's errno for the request (positive). `message` is one
//   whole netlink message (struct nlmsghdr first) asking for an acknowledgement (NLM_F_ACK); its
//   nlmsg_seq names the answer. An answer that does not come within the receive timeout is ETIMEDOUT.
// close()
class NetlinkRequestSocket : public Napi::ObjectWrap<NetlinkRequestSocket> {
 public:
  // What waits for an answer at most: the kernel answers within sendmsg, so only a lost answer
  // (the receive queue full, which one request at a time cannot fill) would wait this long.
  static constexpr int kTimeoutMs = 1000;

  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NetlinkRequestSocket",
                       {InstanceMethod("request", &NetlinkRequestSocket::Request), InstanceMethod("close", &NetlinkRequestSocket::Close)});
  }

  explicit NetlinkRequestSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NetlinkRequestSocket>(info) {
    Napi::Env env = info.Env();
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd_ < 0) {
      KernelError(env, "socket(AF_NETLINK, NETLINK_ROUTE)", errno).ThrowAsJavaScriptException();
      return;
    }
    // Errors without the request copied back (NETLINK_CAP_ACK): the answer stays one small datagram.
    const int on = 1;
    setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &on, sizeof(on));
    timeval timeout{kTimeoutMs / 1000, (kTimeoutMs % 1000) * 1000};
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout)) < 0 ||
        bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) < 0) {
      const int error = errno;
      close(fd_);
      fd_ = -1;
      KernelError(env, "bind(AF_NETLINK)", error).ThrowAsJavaScriptException();
    }
  }

  ~NetlinkRequestSocket() override {
    if (fd_ >= 0) close(fd_);
  }

 private:
  Napi::Value Request(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsBuffer()) {
      Napi::TypeError::New(env, "request(message: Buffer)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Buffer<uint8_t> message = info[0].As<Napi::Buffer<uint8_t>>();
    if (message.Length() < sizeof(nlmsghdr)) {
      Napi::RangeError::New(env, "message must start with a struct nlmsghdr").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (fd_ < 0) {
      KernelError(env, "request", EBADF).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    nlmsghdr header;
    std::memcpy(&header, message.Data(), sizeof(header));

    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    ssize_t sent;
    do {
      sent = sendto(fd_, message.Data(), message.Length(), 0, reinterpret_cast<sockaddr*>(&kernel), sizeof(kernel));
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return Napi::Number::New(env, errno);

    // Answers to earlier requests that timed out may come first: read until this one's.
    alignas(nlmsghdr) uint8_t answer[8192];
    for (;;) {
      const ssize_t received = recv(fd_, answer, sizeof(answer), 0);
      if (received < 0) {
        if (errno == EINTR) continue;
        return Napi::Number::New(env, errno == EAGAIN || errno == EWOULDBLOCK ? ETIMEDOUT : errno);
      }
      size_t left = static_cast<size_t>(received);
      for (auto* part = reinterpret_cast<nlmsghdr*>(answer); NLMSG_OK(part, left); part = NLMSG_NEXT(part, left)) {
        if (part->nlmsg_seq != header.nlmsg_seq || part->nlmsg_type != NLMSG_ERROR) continue;
        if (part->nlmsg_len < NLMSG_LENGTH(sizeof(int))) return Napi::Number::New(env, EBADMSG);
        int error;
        std::memcpy(&error, NLMSG_DATA(part), sizeof(error));
        return Napi::Number::New(env, -error);
      }
    }
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    return info.Env().Undefined();
  }

  int fd_ = -1;
};

}  // namespace

void InitNetlinkRequestSocket(Napi::Env env, Napi::Object exports) {
  exports.Set("NetlinkRequestSocket", NetlinkRequestSocket::Define(env));
}
