// keepalived's JSON dump signal is SIGRTMIN+2, and Node.js refuses handlers for realtime signals
// (whose default action ends the process). signalPipe(signo) installs a handler that writes one
// byte to a pipe per delivery and returns the pipe's read end, which Node reads as a stream: the
// handler does nothing but write(2), which is async-signal-safe.
#include <napi.h>

#include "shims.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace {

// One write end per realtime signal; -1 when none. Read by the handler, so plain ints.
volatile sig_atomic_t writeEnds[_NSIG] = {};
bool initialised = false;

void OnSignal(int signo) {
  const int saved = errno;
  const unsigned char byte = static_cast<unsigned char>(signo);
  // A full pipe (the loop is stalled) drops the byte: one pending dump is as good as many.
  if (signo > 0 && signo < _NSIG && writeEnds[signo] >= 0) (void)!write(writeEnds[signo], &byte, 1);
  errno = saved;
}

Napi::Value SignalPipe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!initialised) {
    for (int i = 0; i < _NSIG; i++) writeEnds[i] = -1;
    initialised = true;
  }
  if (info.Length() != 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "signalPipe(signo: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int signo = info[0].As<Napi::Number>().Int32Value();
  // Only realtime signals: Node handles the others itself, and two handlers would fight.
  if (signo < SIGRTMIN || signo > SIGRTMAX) {
    Napi::RangeError::New(env, "signo must be a realtime signal (" + std::to_string(SIGRTMIN) + ".." + std::to_string(SIGRTMAX) + ")").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (writeEnds[signo] >= 0) {
    Napi::Error::New(env, "signalPipe: signal " + std::to_string(signo) + " already has a pipe").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    Napi::Error::New(env, std::string("pipe2: ") + std::strerror(errno)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  writeEnds[signo] = fds[1];
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  if (sigaction(signo, &action, nullptr) != 0) {
    const int error = errno;
    writeEnds[signo] = -1;
    close(fds[0]);
    close(fds[1]);
    Napi::Error::New(env, std::string("sigaction: ") + std::strerror(error)).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, fds[0]);
}

Napi::Value RealtimeSignalMin(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), SIGRTMIN);
}

}  // namespace

void RegisterSignalPipe(Napi::Env env, Napi::Object exports) {
  exports.Set("signalPipe", Napi::Function::New(env, SignalPipe));
  exports.Set("realtimeSignalMin", Napi::Function::New(env, RealtimeSignalMin));
}
