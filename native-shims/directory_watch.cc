// track_file's watch, with keepalived's events. keepalived watches the file's directory for
// IN_CLOSE_WRITE | IN_DELETE | IN_MOVE (vrrp_track.c), so it reads a file once its writer has
// closed it. Node's fs.watch also reports IN_MODIFY: `echo 10 > file` truncates, then writes, and a
// read between the two saw an empty file (value 0), a priority change keepalived never makes
// (found by the notify_priority_changes lab test, which compares the two daemons' FIFO lines).
//
// new DirectoryWatch(directory, onEvent(error, name, mask))   not keeping the process alive
// close()
#include <napi.h>
#include <uv.h>

#include "shims.h"

#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <sys/inotify.h>
#include <unistd.h>

namespace {

constexpr uint32_t kEvents = IN_CLOSE_WRITE | IN_DELETE | IN_MOVE;

class DirectoryWatch : public Napi::ObjectWrap<DirectoryWatch> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "DirectoryWatch", {InstanceMethod("close", &DirectoryWatch::Close)});
  }

  explicit DirectoryWatch(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DirectoryWatch>(info) {
    Napi::Env env = info.Env();
    if (info.Length() != 2 || !info[0].IsString() || !info[1].IsFunction()) {
      Napi::TypeError::New(env, "new DirectoryWatch(directory: string, onEvent: function)").ThrowAsJavaScriptException();
      return;
    }
    fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0) {
      KernelError(env, "inotify_init1", errno).ThrowAsJavaScriptException();
      return;
    }
    const std::string directory = info[0].As<Napi::String>().Utf8Value();
    if (inotify_add_watch(fd_, directory.c_str(), kEvents | IN_ONLYDIR) < 0) {
      Abandon(env, "inotify_add_watch(" + directory + ")");
      return;
    }
    const char* failed = nullptr;
    poll_ = NewPoll(env, fd_, this, failed);
    if (poll_ == nullptr) {
      Abandon(env, failed);
      return;
    }
    onEvent_ = Napi::Persistent(info[1].As<Napi::Function>());
    context_ = std::make_unique<Napi::AsyncContext>(env, "DirectoryWatch");
    uv_poll_start(poll_, UV_READABLE, &DirectoryWatch::OnReadable);
    // As fs.watch({persistent: false}): a watch alone does not keep the daemon running.
    uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    Ref();  // alive until close(), even with no JS reference.
    cleanup_.Attach(env, [](void* self) { static_cast<DirectoryWatch*>(self)->Shutdown(); }, this);
  }

  ~DirectoryWatch() override {
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

  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) { static_cast<DirectoryWatch*>(handle->data)->Drain(status); }

  // onEvent(null, name, mask) per event; IN_IGNORED (the directory is gone) comes with name "".
  void Drain(int status) {
    Napi::Env env = onEvent_.Env();
    Napi::HandleScope scope(env);
    if (status < 0) {
      CallFromLoop(onEvent_, *context_, {Napi::Error::New(env, std::string("poll: ") + uv_strerror(status)).Value()});
      return;
    }
    alignas(inotify_event) char buffer[16 * (sizeof(inotify_event) + NAME_MAX + 1)];
    while (fd_ >= 0) {
      const ssize_t length = read(fd_, buffer, sizeof(buffer));
      if (length < 0) {
        if (errno == EINTR) continue;
        if (errno != EAGAIN) CallFromLoop(onEvent_, *context_, {KernelError(env, "read(inotify)", errno).Value()});
        return;
      }
      for (ssize_t at = 0; at < length && fd_ >= 0;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
        const std::string name = event->len > 0 ? std::string(event->name) : std::string();
        CallFromLoop(onEvent_, *context_, {env.Null(), Napi::String::New(env, name), Napi::Number::New(env, event->mask)});
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
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
  int fd_ = -1;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onEvent_;
  std::unique_ptr<Napi::AsyncContext> context_;
};

}  // namespace

void InitDirectoryWatch(Napi::Env env, Napi::Object exports) {
  exports.Set("DirectoryWatch", DirectoryWatch::Define(env));
}
