// The daemon's script children (vrrp_script, notify, MISC_CHECK) started without fork().
//
// Node's child_process (libuv's uv_spawn) forks: the kernel copies the page tables of the whole
// daemon (a Node process of 55+ MB) holding its mmap_lock for writing, and every page a thread
// writes afterwards faults once to be copied. The BFD pacer's thread waited on that lock for the
// whole fork, up to 107 ms under a CPU hog (bench/RESULTS.md, eleventh sitting: false BFD Downs at
// 50 ms x 3). Here the child shares the parent's memory until its execve (clone with CLONE_VM |
// CLONE_VFORK, as glibc's posix_spawn), so nothing is copied and nothing faults afterwards;
// posix_spawn itself cannot drop to the script's user and group, hence this.
//
// The child runs on a stack of its own in memory it shares with the daemon, so it makes system
// calls only: no malloc, no lock, no glibc wrapper that talks to the parent's threads (setuid's
// does: it signals every thread to change their credentials too). Everything it reads (argv, envp,
// the paths PATH gives) is prepared before the clone; every signal is blocked in the calling
// thread around it, so no handler of Node's runs in the child on the shared memory, and the child
// resets every disposition to the default before unblocking (libuv does the same: a script gets
// SIGPIPE's default, not Node's SIG_IGN). What it sets up is what uv_spawn gave the scripts with
// ChildProcessRunner's options: a session and process group of its own (a timeout kills the
// group), stdin/stdout/stderr on /dev/null, cwd /, supplementary groups dropped then gid and uid
// when asked, an empty signal mask, execve with execvp's PATH search. A failure before the
// program runs comes back to the parent through the shared memory as the step and its errno.
//
// The exit comes through a pidfd (CLONE_PIDFD) polled on the loop (uv_poll, unreferenced as
// ChildProcessRunner's children were), reaped by waitid(P_PIDFD): no SIGCHLD handler involved.
//
// spawnSupported(): whether the kernel has what this needs (pidfd_open and waitid(P_PIDFD), 5.4).
// spawnScript(argv, env, searchPath, uid, gid, onExit(code, signal[, stdout, stderr])[, input]):
//   the child's pid (its process group's id), or throws an Error with errno, code (ENOENT...) and
//   syscall (the failed step). uid / gid -1: unchanged. onExit once: code the exit status (-1 when
//   killed), signal its number. With `input` (a Buffer: the daemon's own tools, nft), the child's
//   stdin holds those bytes and its stdout and stderr are kept, each in a memfd (no pipe to drain,
//   no file left anywhere), and handed to onExit as Buffers.
#include "shims.h"

#include <csignal>
#include <cstdint>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

namespace {

// waitid's idtype for a pidfd (Linux 5.4); glibc 2.36's idtype_t may not name it.
constexpr idtype_t kPidfdIdtype = static_cast<idtype_t>(3);
// The child's stack: what it runs needs a few hundred bytes (its frame and the system calls').
constexpr size_t kChildStackBytes = 64 * 1024;
// The kernel's sigset_t (rt_sigprocmask, rt_sigaction): 64 signals.
constexpr size_t kKernelSigsetBytes = 8;
constexpr int kLastSignal = 64;

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef SYS_memfd_create
#define SYS_memfd_create 319
#endif

// The step of the child's set-up that failed (0: none), as the error's `syscall`.
enum Step : int { kNone = 0, kSetsid, kDup, kChdir, kSetgroups, kSetgid, kSetuid, kExecve };
const char* StepName(int step) {
  switch (step) {
    case kSetsid: return "setsid";
    case kDup: return "dup3";
    case kChdir: return "chdir";
    case kSetgroups: return "setgroups";
    case kSetgid: return "setgid";
    case kSetuid: return "setuid";
    default: return "execve";
  }
}

// What the child reads (all prepared by the parent) and writes back (step and error).
struct Plan {
  char* const* candidates;  // the paths to try in order (execvp's PATH search, made beforehand)
  size_t candidateCount;
  char* const* argv;
  char* const* envp;
  // What becomes the child's 0, 1 and 2: /dev/null, or the memfds of a captured run.
  int stdio[3];
  bool setIds;
  long uid;
  long gid;
  volatile int step;
  volatile int error;
};

// glibc's execvp goes on to the next directory after these, and reports EACCES at the end if any
// candidate gave it; any other error stops the search.
bool SearchGoesOn(int error) { return error == ENOENT || error == ENOTDIR || error == ESTALE || error == ENODEV || error == ETIMEDOUT || error == EACCES; }

int Failed(Plan* plan, int step, int error) {
  plan->step = step;
  plan->error = error;
  syscall(SYS_exit_group, 127);
  return 127;
}

// The child, on its own stack, in the parent's memory, every signal blocked. System calls only
// (glibc's syscall() stores errno in the calling thread's TLS, which is the suspended parent's).
int ChildMain(void* argument) {
  Plan* plan = static_cast<Plan*>(argument);
  // A handler of Node's must never run here: every disposition back to the default (a zeroed
  // kernel sigaction: SIG_DFL, no flags, empty mask) before the mask is lifted.
  const unsigned long defaultAction[4] = {0, 0, 0, 0};
  for (int signal = 1; signal <= kLastSignal; signal++) {
    if (signal == SIGKILL || signal == SIGSTOP) continue;
    syscall(SYS_rt_sigaction, signal, defaultAction, nullptr, kKernelSigsetBytes);
  }
  if (syscall(SYS_setsid) < 0) return Failed(plan, kSetsid, errno);
  for (int fd = 0; fd < 3; fd++) {
    if (syscall(SYS_dup3, plan->stdio[fd], fd, 0) < 0) return Failed(plan, kDup, errno);
  }
  if (syscall(SYS_chdir, "/") < 0) return Failed(plan, kChdir, errno);
  if (plan->setIds) {
    // As libuv: no supplementary group of the daemon's kept, then the group while still root.
    if (syscall(SYS_setgroups, 0, nullptr) < 0) return Failed(plan, kSetgroups, errno);
    if (syscall(SYS_setgid, plan->gid) < 0) return Failed(plan, kSetgid, errno);
    if (syscall(SYS_setuid, plan->uid) < 0) return Failed(plan, kSetuid, errno);
  }
  const uint64_t none = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, kKernelSigsetBytes);
  int error = ENOENT;
  bool deniedOnce = false;
  for (size_t i = 0; i < plan->candidateCount; i++) {
    syscall(SYS_execve, plan->candidates[i], plan->argv, plan->envp);
    error = errno;
    if (error == EACCES) deniedOnce = true;
    if (!SearchGoesOn(error)) break;
  }
  return Failed(plan, kExecve, deniedOnce && SearchGoesOn(error) ? EACCES : error);
}

// The calling thread's stack for its children, made at its first spawn and kept (64 KiB per
// thread that spawns: the main thread). Reused safely: the parent resumes only once the child has
// left the shared memory (its execve replaced it, or it exited).
char* ChildStackTop() {
  static thread_local char* top = nullptr;
  if (top == nullptr) {
    void* stack = mmap(nullptr, kChildStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) return nullptr;
    top = static_cast<char*>(stack) + kChildStackBytes;
  }
  return top;
}

// The paths execvp would try for `file` with this PATH: the file itself when it has a slash,
// else each directory's entry (an empty directory is the working directory, / in the child).
std::vector<std::string> Candidates(const std::string& file, const std::string& searchPath) {
  if (file.empty()) return {};
  if (file.find('/') != std::string::npos) return {file};
  std::vector<std::string> candidates;
  size_t from = 0;
  while (true) {
    const size_t colon = searchPath.find(':', from);
    const std::string directory = searchPath.substr(from, colon == std::string::npos ? std::string::npos : colon - from);
    candidates.push_back(directory.empty() ? file : directory + "/" + file);
    if (colon == std::string::npos) break;
    from = colon + 1;
  }
  return candidates;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

Napi::Error SpawnError(const Napi::Env& env, const char* step, const std::string& file, int error) {
  const std::string name = ErrnoName(error);
  Napi::Error failure = Napi::Error::New(env, std::string(step) + " " + file + ": " + std::strerror(error) + " (" + name + ")");
  failure.Set("errno", Napi::Number::New(env, error));
  failure.Set("code", Napi::String::New(env, name));
  failure.Set("syscall", Napi::String::New(env, step));
  return failure;
}

int WaitPidfd(int pidfd, siginfo_t* info, int options) {
  int result;
  do {
    result = waitid(kPidfdIdtype, static_cast<id_t>(pidfd), info, options);
  } while (result < 0 && errno == EINTR);
  return result;
}

// A started child until its exit is reported: its pidfd polled on the loop, the callback kept.
class RunningChild {
 public:
  RunningChild(int pidfd, Napi::Function onExit, napi_env env, int out = -1, int err = -1) : pidfd_(pidfd), out_(out), err_(err), onExit_(Napi::Persistent(onExit)), context_(env, "spawnScript") {}

  // Polls the pidfd; false (errno set, `failed` naming the call) when libuv refuses it.
  bool Watch(napi_env env, const char*& failed) {
    poll_ = NewPoll(env, pidfd_, this, failed);
    if (poll_ == nullptr) return false;
    uv_poll_start(poll_, UV_READABLE, &RunningChild::OnReadable);
    // As child.unref(): a running script does not keep the daemon alive.
    uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
    cleanup_.Attach(env, [](void* self) { delete static_cast<RunningChild*>(self); }, this);
    return true;
  }

  ~RunningChild() {
    cleanup_.Detach();
    ClosePolled(poll_, pidfd_);
    if (out_ >= 0) close(out_);
    if (err_ >= 0) close(err_);
  }

 private:
  static void OnReadable(uv_poll_t* handle, int status, int /*events*/) { static_cast<RunningChild*>(handle->data)->Reap(status); }

  // The pidfd is readable once the child has exited: reap it and report. A poll error (which
  // stops the handle) or a child reaped by someone else reports code -1 and signal 0.
  void Reap(int status) {
    siginfo_t info{};
    const int result = WaitPidfd(pidfd_, &info, WEXITED | WNOHANG);
    if (status == 0 && result == 0 && info.si_pid == 0) return;  // not yet: a spurious wake-up
    int code = -1;
    int signal = 0;
    if (result == 0 && info.si_pid != 0) {
      if (info.si_code == CLD_EXITED) code = info.si_status;
      else signal = info.si_status;
    }
    Napi::Env env = onExit_.Env();
    Napi::HandleScope scope(env);
    cleanup_.Detach();
    ClosePolled(poll_, pidfd_);
    // The process may be ending with this script still running (its poll is unreferenced): then
    // the exit has no one to go to and is dropped (CallFromLoop).
    if (out_ >= 0) {
      // Read and closed before the callback: its promise's continuations run inside the call.
      Napi::Buffer<uint8_t> out = Captured(env, out_);
      Napi::Buffer<uint8_t> err = Captured(env, err_);
      close(out_);
      close(err_);
      out_ = err_ = -1;
      CallFromLoop(onExit_, context_, {Napi::Number::New(env, code), Napi::Number::New(env, signal), out, err});
    } else {
      CallFromLoop(onExit_, context_, {Napi::Number::New(env, code), Napi::Number::New(env, signal)});
    }
    delete this;
  }

  // What the child wrote into a memfd, from its start (the child's writes moved the shared offset).
  static Napi::Buffer<uint8_t> Captured(Napi::Env env, int fd) {
    struct stat status {};
    const size_t size = fstat(fd, &status) == 0 && status.st_size > 0 ? static_cast<size_t>(status.st_size) : 0;
    Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(env, size);
    size_t done = 0;
    while (done < size) {
      const ssize_t n = pread(fd, buffer.Data() + done, size - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    return done == size ? buffer : Napi::Buffer<uint8_t>::Copy(env, buffer.Data(), done);
  }

  int pidfd_;
  int out_;
  int err_;
  uv_poll_t* poll_ = nullptr;
  Napi::FunctionReference onExit_;
  Napi::AsyncContext context_;
  EnvCleanup cleanup_;
};

Napi::Value SpawnSupported(const Napi::CallbackInfo& info) {
  // pidfd_open (5.3) of ourselves, and waitid(P_PIDFD) (5.4), which answers ECHILD for a process
  // that is not our child, EINVAL where P_PIDFD is unknown. A seccomp filter that refuses either
  // (an old container runtime's) also means no.
  const int self = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
  if (self < 0) return Napi::Boolean::New(info.Env(), false);
  siginfo_t ignored{};
  const bool waits = WaitPidfd(self, &ignored, WEXITED | WNOHANG) < 0 && errno == ECHILD;
  close(self);
  return Napi::Boolean::New(info.Env(), waits);
}

bool IsStringArray(const Napi::Value& value) {
  if (!value.IsArray()) return false;
  const Napi::Array array = value.As<Napi::Array>();
  for (uint32_t i = 0; i < array.Length(); i++) {
    if (!array.Get(i).IsString()) return false;
  }
  return true;
}

std::vector<std::string> Strings(const Napi::Value& value) {
  const Napi::Array array = value.As<Napi::Array>();
  std::vector<std::string> strings;
  strings.reserve(array.Length());
  for (uint32_t i = 0; i < array.Length(); i++) strings.push_back(array.Get(i).As<Napi::String>().Utf8Value());
  return strings;
}

Napi::Value SpawnScript(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if ((info.Length() != 6 && info.Length() != 7) || !IsStringArray(info[0]) || !IsStringArray(info[1]) || !info[2].IsString() || !info[3].IsNumber() || !info[4].IsNumber() || !info[5].IsFunction() ||
      (info.Length() == 7 && !info[6].IsBuffer())) {
    Napi::TypeError::New(env, "spawnScript(argv: string[], env: string[], searchPath: string, uid: number, gid: number, onExit: function[, input: Buffer])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const bool capture = info.Length() == 7;
  std::vector<std::string> args = Strings(info[0]);
  std::vector<std::string> environment = Strings(info[1]);
  const int64_t uid = info[3].As<Napi::Number>().Int64Value();
  const int64_t gid = info[4].As<Napi::Number>().Int64Value();
  if (args.empty() || uid < -1 || uid > UINT32_MAX - 1 || gid < -1 || gid > UINT32_MAX - 1 || (uid < 0) != (gid < 0)) {
    Napi::RangeError::New(env, "spawnScript: argv must not be empty; uid and gid both -1 or both ids").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  for (const std::string& s : args) {
    if (s.find('\0') != std::string::npos) {
      Napi::TypeError::New(env, "spawnScript: an argument holds a NUL byte").ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  const std::string file = args[0];
  std::vector<std::string> candidates = Candidates(file, info[2].As<Napi::String>().Utf8Value());
  std::vector<char*> candidatePointers = Pointers(candidates);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(environment);

  char* stackTop = ChildStackTop();
  if (stackTop == nullptr) {
    KernelError(env, "mmap(child stack)", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // At 3 or above, so that dup3 onto 0, 1 and 2 never meets itself (dup3 refuses oldfd == newfd).
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull >= 0 && devnull < 3) {
    const int moved = fcntl(devnull, F_DUPFD_CLOEXEC, 3);
    close(devnull);
    devnull = moved;
  }
  if (devnull < 0) {
    KernelError(env, "open(/dev/null)", errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // A captured run: stdin, stdout and stderr in memfds (at 3 or above, as /dev/null), the input
  // written and rewound before the child starts.
  int captured[3] = {-1, -1, -1};
  auto closeCaptured = [&captured]() {
    for (int& fd : captured) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  };
  if (capture) {
    static const char* const kNames[3] = {"vrrpd-stdin", "vrrpd-stdout", "vrrpd-stderr"};
    for (int i = 0; i < 3; i++) {
      int fd = static_cast<int>(syscall(SYS_memfd_create, kNames[i], MFD_CLOEXEC));
      if (fd >= 0 && fd < 3) {
        const int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = moved;
      }
      if (fd < 0) {
        const int error = errno;
        closeCaptured();
        close(devnull);
        KernelError(env, "memfd_create", error).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      captured[i] = fd;
    }
    Napi::Buffer<uint8_t> input = info[6].As<Napi::Buffer<uint8_t>>();
    size_t done = 0;
    while (done < input.Length()) {
      const ssize_t n = pwrite(captured[0], input.Data() + done, input.Length() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int error = n < 0 ? errno : EIO;
        closeCaptured();
        close(devnull);
        KernelError(env, "write(memfd)", error).ThrowAsJavaScriptException();
        return env.Undefined();
      }
      done += static_cast<size_t>(n);
    }
  }
  Plan plan{candidatePointers.data(), candidates.size(), argv.data(), envp.data(), {capture ? captured[0] : devnull, capture ? captured[1] : devnull, capture ? captured[2] : devnull}, uid >= 0, static_cast<long>(uid), static_cast<long>(gid), kNone, 0};

  // Every signal blocked (glibc's internal ones too, which pthread_sigmask would leave) until the
  // child has left the shared memory; the child resets the dispositions before lifting its copy.
  const uint64_t all = ~static_cast<uint64_t>(0);
  uint64_t before = 0;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &before, kKernelSigsetBytes);
  int pidfd = -1;
  const pid_t pid = clone(ChildMain, stackTop, CLONE_VM | CLONE_VFORK | CLONE_PIDFD | SIGCHLD, &plan, &pidfd);
  const int cloneError = errno;
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &before, nullptr, kKernelSigsetBytes);
  close(devnull);
  // The child has its own copy of stdin; the parent keeps stdout's and stderr's to read at the exit.
  if (captured[0] >= 0) {
    close(captured[0]);
    captured[0] = -1;
  }

  if (pid < 0) {
    closeCaptured();
    KernelError(env, "clone", cloneError).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (pidfd < 0) {
    // A kernel that ignored CLONE_PIDFD (before 5.2; spawnSupported says no there): not watchable.
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    closeCaptured();
    KernelError(env, "clone(CLONE_PIDFD)", ENOSYS).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (plan.step != kNone) {
    // The child has exited (its _exit let us resume): reap it now, as posix_spawn does.
    siginfo_t ignored{};
    WaitPidfd(pidfd, &ignored, WEXITED);
    close(pidfd);
    closeCaptured();
    SpawnError(env, StepName(plan.step), plan.step == kSetuid ? std::to_string(uid) : plan.step == kSetgid || plan.step == kSetgroups ? std::to_string(gid) : file, plan.error).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // The child owns the captured stdout and stderr from here (closed when it is deleted).
  auto* child = new RunningChild(pidfd, info[5].As<Napi::Function>(), env, captured[1], captured[2]);
  captured[1] = captured[2] = -1;
  const char* failed = nullptr;
  if (!child->Watch(env, failed)) {
    // Unwatched, its exit would never be reported and it would stay a zombie: killed and reaped now.
    const int error = errno;
    siginfo_t ignored{};
    kill(pid, SIGKILL);
    WaitPidfd(pidfd, &ignored, WEXITED);
    delete child;
    KernelError(env, failed, error).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, pid);
}

}  // namespace

void RegisterScriptSpawn(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnSupported", Napi::Function::New(env, SpawnSupported, "spawnSupported"));
  exports.Set("spawnScript", Napi::Function::New(env, SpawnScript, "spawnScript"));
  // spawnScript takes `input` and hands back stdout and stderr (a shim built before it does not).
  exports.Set("spawnCaptures", Napi::Boolean::New(env, true));
}
