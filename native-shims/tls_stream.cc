// SSL_GET's unverified TLS connection without Node's tls, net and stream layers (issue 13). A
// check at one a second through node:tls cost 2.4-3.3 ms of CPU, most of it Node's JavaScript run
// cold in the interpreter, against 1.15-1.4 ms for the same exchange in C with the same OpenSSL
// (bench/RESULTS.md, "Built-in checkers": "A check in C"). Here the connect, the handshake and the
// reads run in libuv callbacks and JavaScript hears one call per stage and one per read burst.
// OpenSSL is the one inside node (its symbols are exported to addons; node-gyp's headers are its
// headers), so no second copy is loaded. Verified checks (verify_certificate) stay on node:tls,
// which checks chains and names as operators already see it report.
//
// new TlsStream(onEvent(kind, a, b, c))      kind: 1 handshake done, 2 data (a: Buffer), 3 end
//                                              of stream, 4 error (a: code, b: message,
//                                              c: 0 connect / 1 handshake / 2 transfer)
// connect(family 4|6, address, port, localAddress|'', localPort|0, servername|'', tls)
//     -> undefined, or [code, message] when it failed at once (no event follows). tls false: plain
//        TCP (HTTP_GET, TCP_CHECK), event 1 when TCP is connected, the bytes as they come, errors
//        named as node:net names them; through node:net such a check cost 1.3-1.85 ms of CPU at
//        one every 100 ms, most of it node:net's JavaScript (bench/RESULTS.md)
// write(bytes)   queued until the handshake is done
// close(notify)  notify: send close_notify first (tls_compliant); no event follows
// handshaking()  whether TCP is connected and the handshake under way: asked only when a check
//                times out (which stage it timed out in), rather than an event every check
//                (one MakeCallback less per check)
// TlsStream.counts() -> [SSL objects made, SSL objects reused, plain streams connected] on this
//                       thread (tests)
#include <napi.h>
#include <uv.h>

#include "shims.h"

#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace {

enum Event { kConnected = 1, kData = 2, kEnd = 3, kError = 4 };
enum During { kDuringConnect = 0, kDuringHandshake = 1, kDuringTransfer = 2 };

// Bytes handed to JavaScript per call at most: a server sending 100 MB is read in these, and the
// HTTP reader closes the stream once it has seen enough.
constexpr size_t kReadBurst = 256 * 1024;

// The one unverified client context, made at first use and shared by every stream of every thread
// (an SSL_CTX is safe to share once set up). No session cache: every check makes a full handshake,
// as keepalived's check_ssl.c does (docs/architecture.md, "TLS session resumption").
SSL_CTX* UnverifiedContext() {
  static SSL_CTX* const context = [] {
    SSL_CTX* made = SSL_CTX_new(TLS_client_method());
    if (made == nullptr) return made;
    SSL_CTX_set_verify(made, SSL_VERIFY_NONE, nullptr);
    // node:tls's floor, which this replaces.
    SSL_CTX_set_min_proto_version(made, TLS1_2_VERSION);
    SSL_CTX_set_session_cache_mode(made, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(made, SSL_OP_NO_TICKET | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(made, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // Whole records per read(2), not a header and then its body: half the system calls.
    SSL_CTX_set_read_ahead(made, 1);
    return made;
  }();
  return context;
}

// The SSL objects of finished streams, cleared (SSL_clear) for the next check's stream on this
// thread instead of an SSL_new and SSL_free per check. Every check still makes a full handshake,
// as keepalived's check_ssl.c does with its SSL_new per check: the session the last handshake
// made is dropped (a stream closed with close_notify keeps it through SSL_clear and would offer it
// for resumption), and the SNI name is set again for each stream, none included. At most
// kPooledSsl are kept, each with its ~17 KB read buffer (enough for the checks open at once at
// issue 13's rates), freed with the thread.
constexpr size_t kPooledSsl = 8;

class SslPool {
 public:
  ~SslPool() {
    for (SSL* ssl : free_) SSL_free(ssl);
  }
  SSL* Take() {
    if (free_.empty()) {
      ++made_;
      return SSL_new(UnverifiedContext());
    }
    ++reused_;
    SSL* ssl = free_.back();
    free_.pop_back();
    return ssl;
  }
  void GiveBack(SSL* ssl) {
    ERR_clear_error();
    // SSL_clear keeps a session it thinks good (one whose connection ended with close_notify).
    if (free_.size() < kPooledSsl && SSL_clear(ssl) == 1 && SSL_set_session(ssl, nullptr) == 1) {
      // Its socket BIO names a descriptor now closed: dropped here, a new one at SSL_set_fd.
      SSL_set_bio(ssl, nullptr, nullptr);
      free_.push_back(ssl);
    } else {
      SSL_free(ssl);
    }
    ERR_clear_error();
  }
  double made() const { return static_cast<double>(made_); }
  double reused() const { return static_cast<double>(reused_); }
  void CountPlain() { ++plain_; }
  double plain() const { return static_cast<double>(plain_); }

 private:
  std::vector<SSL*> free_;
  uint64_t made_ = 0;
  uint64_t reused_ = 0;
  uint64_t plain_ = 0;
};

SslPool& Pool() {
  thread_local SslPool pool;
  return pool;
}

// One async context for every stream of an environment: the streams' callbacks need one for
// MakeCallback, and one each cost an object and an async id per check. Destroyed with the
// environment.
Napi::AsyncContext& SharedAsyncContext(Napi::Env env) {
  struct Shared {
    napi_env env = nullptr;
    std::unique_ptr<Napi::AsyncContext> context;
  };
  thread_local Shared shared;
  if (shared.context == nullptr || shared.env != env) {
    shared.context = std::make_unique<Napi::AsyncContext>(env, "TlsStream");
    shared.env = env;
    napi_add_env_cleanup_hook(
        env,
        [](void* arg) {
          auto* held = static_cast<Shared*>(arg);
          held->context.reset();
          held->env = nullptr;
        },
        &shared);
  }
  return *shared.context;
}

class TlsStream : public Napi::ObjectWrap<TlsStream> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "TlsStream",
                       {InstanceMethod("connect", &TlsStream::Connect), InstanceMethod("write", &TlsStream::Write),
                        InstanceMethod("close", &TlsStream::Close), InstanceMethod("handshaking", &TlsStream::Handshaking),
                        StaticMethod("counts", &TlsStream::Counts)});
  }

  explicit TlsStream(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TlsStream>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 1 || !info[0].IsFunction()) {
      Napi::TypeError::New(env, "new TlsStream(onEvent: function)").ThrowAsJavaScriptException();
      return;
    }
    onEvent_ = Napi::Persistent(info[0].As<Napi::Function>());
    context_ = &SharedAsyncContext(env);
  }

  ~TlsStream() override {
    cleanup_.Detach();
    Shutdown();
  }

 private:
  Napi::Value Connect(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (info.Length() != 7 || !info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber() || !info[3].IsString() || !info[4].IsNumber() ||
        !info[5].IsString() || !info[6].IsBoolean() || fd_ >= 0 || closed_) {
      Napi::TypeError::New(env, "connect(family, address, port, localAddress, localPort, servername, tls) once").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    tls_ = info[6].As<Napi::Boolean>().Value();
    const int family = info[0].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
    const std::string address = info[1].As<Napi::String>().Utf8Value();
    const int port = info[2].As<Napi::Number>().Int32Value();
    const std::string localAddress = info[3].As<Napi::String>().Utf8Value();
    const int localPort = info[4].As<Napi::Number>().Int32Value();
    servername_ = info[5].As<Napi::String>().Utf8Value();

    sockaddr_storage to{};
    socklen_t toLength = 0;
    // Numeric only: connect_ip is an address (with %interface for an IPv6 link-local one).
    if (!Resolve(family, address, port, to, toLength)) return Failure(env, "EINVAL", "not an address: " + address);
    fd_ = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return Failure(env, ErrnoName(errno), std::string("socket: ") + std::strerror(errno));
    if (!localAddress.empty() || localPort != 0) {
      sockaddr_storage from{};
      socklen_t fromLength = 0;
      if (!Resolve(family, localAddress.empty() ? (family == AF_INET6 ? "::" : "0.0.0.0") : localAddress, localPort, from, fromLength)) {
        return FailClosing(env, "EINVAL", "not an address: " + localAddress);
      }
      if (bind(fd_, reinterpret_cast<sockaddr*>(&from), fromLength) != 0) {
        const int error = errno;
        return FailClosing(env, ErrnoName(error), "bind " + ErrnoName(error) + " " + localAddress + (localPort != 0 ? ":" + std::to_string(localPort) : ""));
      }
    }
    if (connect(fd_, reinterpret_cast<sockaddr*>(&to), toLength) != 0 && errno != EINPROGRESS) {
      const int error = errno;
      return FailClosing(env, ErrnoName(error), "connect " + ErrnoName(error) + " " + address + ":" + std::to_string(port));
    }
    peer_ = address + ":" + std::to_string(port);
    const char* failed = nullptr;
    poll_ = NewPoll(env, fd_, this, failed);
    if (poll_ == nullptr) return FailClosing(env, ErrnoName(errno), failed);
    stage_ = Stage::kConnecting;
    Watch(UV_WRITABLE);
    Ref();  // alive until close(), even with no JS reference.
    cleanup_.Attach(env, [](void* self) { static_cast<TlsStream*>(self)->Shutdown(); }, this);
    return env.Undefined();
  }

  Napi::Value Write(const Napi::CallbackInfo& info) {
    if (info.Length() == 1 && info[0].IsTypedArray() && !closed_) {
      Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
      pending_.insert(pending_.end(), bytes.Data(), bytes.Data() + bytes.ByteLength());
      if (stage_ == Stage::kOpen) Flush();
    }
    return info.Env().Undefined();
  }

  Napi::Value Handshaking(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), stage_ == Stage::kHandshake); }

  static Napi::Value Counts(const Napi::CallbackInfo& info) {
    Napi::Array counts = Napi::Array::New(info.Env(), 3);
    counts.Set(0u, Napi::Number::New(info.Env(), Pool().made()));
    counts.Set(1u, Napi::Number::New(info.Env(), Pool().reused()));
    counts.Set(2u, Napi::Number::New(info.Env(), Pool().plain()));
    return counts;
  }

  Napi::Value Close(const Napi::CallbackInfo& info) {
    if (!closed_) {
      closed_ = true;
      // tls_compliant: close_notify first (one attempt; the socket closes right after either way).
      if (info.Length() == 1 && info[0].ToBoolean().Value() && ssl_ != nullptr && stage_ == Stage::kOpen) {
        ERR_clear_error();
        SSL_shutdown(ssl_);
        ERR_clear_error();
      }
      if (Finish()) Unref();
    }
    return info.Env().Undefined();
  }

  enum class Stage { kIdle, kConnecting, kHandshake, kOpen };

  static bool Resolve(int family, const std::string& address, int port, sockaddr_storage& into, socklen_t& length) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    addrinfo* found = nullptr;
    if (getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || found == nullptr) return false;
    std::memcpy(&into, found->ai_addr, found->ai_addrlen);
    length = found->ai_addrlen;
    freeaddrinfo(found);
    return true;
  }

  Napi::Value Failure(const Napi::Env& env, const std::string& code, const std::string& message) {
    Napi::Array failure = Napi::Array::New(env, 2);
    failure.Set(0u, Napi::String::New(env, code));
    failure.Set(1u, Napi::String::New(env, message));
    return failure;
  }

  Napi::Value FailClosing(const Napi::Env& env, const std::string& code, const std::string& message) {
    Shutdown();
    return Failure(env, code, message);
  }

  void Watch(int events) {
    if (poll_ != nullptr) uv_poll_start(poll_, events, &TlsStream::OnPoll);
  }

  static void OnPoll(uv_poll_t* handle, int status, int events) { static_cast<TlsStream*>(handle->data)->Ready(status, events); }

  void Ready(int status, int events) {
    Napi::Env env = onEvent_.Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      // libuv reports EPOLLERR as UV_EBADF: the socket's own error (a reset, a refused connect) is
      // in SO_ERROR.
      int error = 0;
      socklen_t length = sizeof(error);
      if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      if (error == 0) error = -status == EBADF ? ECONNRESET : -status;
      const During during = stage_ == Stage::kConnecting ? kDuringConnect : stage_ == Stage::kHandshake ? kDuringHandshake : kDuringTransfer;
      const std::string name = ErrnoName(error);
      Fail(name, (during == kDuringConnect ? "connect " : "read ") + name + " " + peer_, during);
      return;
    }
    switch (stage_) {
      case Stage::kConnecting: {
        int error = 0;
        socklen_t length = sizeof(error);
        if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
        if (error != 0) {
          Fail(ErrnoName(error), "connect " + ErrnoName(error) + " " + peer_, kDuringConnect);
          return;
        }
        if (!tls_) {
          Pool().CountPlain();
          Opened();
          return;
        }
        ssl_ = Pool().Take();
        // The stage changes before anything can fail: a failure here is the handshake's.
        stage_ = Stage::kHandshake;
        // An empty name clears what a reused SSL object had (no SNI, as keepalived without enable_sni).
        if (ssl_ == nullptr || SSL_set_fd(ssl_, fd_) != 1 ||
            SSL_set_tlsext_host_name(ssl_, servername_.empty() ? nullptr : const_cast<char*>(servername_.c_str())) != 1) {
          FailTls(kDuringHandshake);
          return;
        }
        Handshake();
        return;
      }
      case Stage::kHandshake:
        Handshake();
        return;
      case Stage::kOpen:
        if ((events & UV_WRITABLE) != 0) Flush();
        if (!closed_ && (events & UV_READABLE) != 0) Read();
        return;
      case Stage::kIdle:
        return;
    }
  }

  void Handshake() {
    ERR_clear_error();
    const int result = SSL_connect(ssl_);
    if (result == 1) {
      Opened();
      return;
    }
    const int error = SSL_get_error(ssl_, result);
    if (error == SSL_ERROR_WANT_READ) Watch(UV_READABLE);
    else if (error == SSL_ERROR_WANT_WRITE) Watch(UV_WRITABLE);
    else if ((error == SSL_ERROR_SYSCALL || error == SSL_ERROR_ZERO_RETURN) && ERR_peek_error() == 0) {
      const int cause = errno;
      // The peer closed or reset before the handshake finished: node:tls calls both ECONNRESET.
      if (error == SSL_ERROR_SYSCALL && cause != 0 && cause != ECONNRESET) Fail(ErrnoName(cause), std::strerror(cause), kDuringHandshake);
      else Fail("ECONNRESET", "Client network socket disconnected before secure TLS connection was established", kDuringHandshake);
    } else {
      FailTls(kDuringHandshake);
    }
  }

  // Connected (with TLS: the handshake done): reading, and what was written before is sent.
  void Opened() {
    stage_ = Stage::kOpen;
    Watch(UV_READABLE);
    Emit({Napi::Number::New(onEvent_.Env(), kConnected)});
    if (!closed_ && !pending_.empty()) Flush();
  }

  void Flush() {
    if (!tls_) {
      FlushPlain();
      return;
    }
    while (!pending_.empty() && !closed_) {
      ERR_clear_error();
      const int result = SSL_write(ssl_, pending_.data(), static_cast<int>(pending_.size()));
      if (result > 0) {
        pending_.erase(pending_.begin(), pending_.begin() + result);
        continue;
      }
      const int error = SSL_get_error(ssl_, result);
      if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
        Watch(UV_READABLE | UV_WRITABLE);
        return;
      }
      FailTransfer(error);
      return;
    }
    if (!closed_) Watch(UV_READABLE);
  }

  void FlushPlain() {
    while (!pending_.empty() && !closed_) {
      const ssize_t sent = send(fd_, pending_.data(), pending_.size(), MSG_NOSIGNAL);
      if (sent >= 0) {
        pending_.erase(pending_.begin(), pending_.begin() + sent);
        continue;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        Watch(UV_READABLE | UV_WRITABLE);
        return;
      }
      // node:net: "write EPIPE", "write ECONNRESET".
      const std::string name = ErrnoName(errno);
      Fail(name, "write " + name, kDuringTransfer);
      return;
    }
    if (!closed_) Watch(UV_READABLE);
  }

  void ReadPlain() {
    std::vector<uint8_t> burst;
    uint8_t room[16384];
    bool ended = false;
    int failed = 0;
    while (burst.size() < kReadBurst) {
      const ssize_t got = read(fd_, room, sizeof(room));
      if (got > 0) {
        burst.insert(burst.end(), room, room + got);
        continue;
      }
      if (got == 0) ended = true;
      else if (errno == EINTR) continue;
      else if (errno != EAGAIN && errno != EWOULDBLOCK) failed = errno;
      break;
    }
    Delivered(burst, ended);
    if (closed_ || ended) return;
    if (failed != 0) {
      // node:net: "read ECONNRESET".
      const std::string name = ErrnoName(failed);
      Fail(name, "read " + name, kDuringTransfer);
    } else if (burst.size() >= kReadBurst) {
      Watch(UV_READABLE);
    }
  }

  // A read burst's bytes to JavaScript, then the end of the stream when it came.
  void Delivered(const std::vector<uint8_t>& burst, bool ended) {
    Napi::Env env = onEvent_.Env();
    if (!burst.empty()) {
      Emit({Napi::Number::New(env, kData), Napi::Buffer<uint8_t>::Copy(env, burst.data(), burst.size())});
      if (closed_) return;
    }
    if (ended) {
      const bool opened = Finish();
      Emit({Napi::Number::New(env, kEnd)});
      if (opened) Unref();
    }
  }

  void Read() {
    if (!tls_) {
      ReadPlain();
      return;
    }
    std::vector<uint8_t> burst;
    uint8_t room[16384];
    bool ended = false;
    int failed = SSL_ERROR_NONE;
    while (burst.size() < kReadBurst) {
      ERR_clear_error();
      const int result = SSL_read(ssl_, room, sizeof(room));
      if (result > 0) {
        burst.insert(burst.end(), room, room + result);
        continue;
      }
      const int error = SSL_get_error(ssl_, result);
      if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) break;
      if (error == SSL_ERROR_ZERO_RETURN || (error == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0)) ended = true;
      else failed = error;
      break;
    }
    Delivered(burst, ended);
    if (closed_ || ended) return;
    if (failed != SSL_ERROR_NONE) {
      FailTransfer(failed);
    } else if (burst.size() >= kReadBurst) {
      // More may wait: read it on the next turn rather than hold the loop.
      Watch(UV_READABLE);
    }
  }

  void FailTransfer(int error) {
    if (error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
      const int cause = errno != 0 ? errno : ECONNRESET;
      Fail(ErrnoName(cause), "read " + ErrnoName(cause), kDuringTransfer);
    } else {
      FailTls(kDuringTransfer);
    }
  }

  // The first OpenSSL error of the queue, named as node:tls names it (code ERR_SSL_<REASON>, the
  // reason as the message's last part), so failures read the same from either path.
  void FailTls(During during) {
    const unsigned long error = ERR_get_error();
    ERR_clear_error();
    const char* reason = error != 0 ? ERR_reason_error_string(error) : nullptr;
    std::string text = reason != nullptr ? reason : "TLS failure";
    std::string code = "ERR_SSL_";
    for (const char c : text) code += c == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    Fail(code, text, during);
  }

  void Fail(const std::string& code, const std::string& message, During during) {
    if (closed_) return;
    const bool opened = Finish();
    Napi::Env env = onEvent_.Env();
    Emit({Napi::Number::New(env, kError), Napi::String::New(env, code), Napi::String::New(env, message), Napi::Number::New(env, during)});
    if (opened) Unref();
  }

  // Ends the stream (no event after the caller's last one): closed, socket and SSL freed. True when
  // it had been connecting or connected, so holds the Ref() connect took, for the caller to drop
  // after its last event.
  bool Finish() {
    const bool opened = fd_ >= 0;
    closed_ = true;
    cleanup_.Detach();
    Shutdown();
    return opened;
  }

  void Emit(const std::initializer_list<napi_value>& args) { CallFromLoop(onEvent_, *context_, args); }

  void Shutdown() {
    if (ssl_ != nullptr) {
      Pool().GiveBack(ssl_);
      ssl_ = nullptr;
    }
    ClosePolled(poll_, fd_);
    pending_.clear();
    stage_ = Stage::kIdle;
  }

  EnvCleanup cleanup_;
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  SSL* ssl_ = nullptr;
  Stage stage_ = Stage::kIdle;
  bool closed_ = false;
  bool tls_ = true;
  std::string servername_;
  std::string peer_;
  std::vector<uint8_t> pending_;
  Napi::FunctionReference onEvent_;
  Napi::AsyncContext* context_ = nullptr;
};

}  // namespace

void InitTlsStream(Napi::Env env, Napi::Object exports) { exports.Set("TlsStream", TlsStream::Define(env)); }
