// The daemon bundle's source and code cache read for bin/vrrpd (src/cli/code-cache.ts) without the
// copies Node's fs and Buffer make. Through Node, the 0.86 MB source was read into a new Buffer
// (a page fault per 4 KiB page of fresh memory), checked for ASCII, then copied again into a V8
// string (more fresh pages), and the 0.66 MB cache read into another new Buffer: ~9 ms of the
// ~100 ms a daemon's own start takes before its first advertisement on a 2-core machine (issue 16).
// Here each file is read into anonymous memory populated in one call (MAP_POPULATE), and the source
// becomes an external V8 string over that memory, with Node's module wrapper around it so that
// vm.Script gets one flat string (a concatenation would be flattened into a heap copy).
// The files are read, not mapped: a mapped file rewritten in place while a daemon runs (a build, a
// `cp` over an installed copy) would change its source under V8 or raise SIGBUS at the next lazily
// compiled function.
// An external string is V8's C++ API (Node-API's external strings are experimental in Node 20), as
// v8_flags.cc: the addon is built against the node that runs it.
#include "shims.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <v8.h>

namespace {

// `before` bytes, the file's bytes, `after` bytes, in one anonymous mapping; the file's part
// filled. False with errno set when it cannot be read.
struct Block {
  char* data = nullptr;
  size_t length = 0;  // before + the bytes read + after
  size_t mapped = 0;
};

bool ReadInto(const std::string& path, size_t before, size_t after, Block& block) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // Closes the file (and frees the block once mapped) keeping the errno of what failed.
  auto fail = [&]() {
    const int error = errno;
    close(fd);
    if (block.data != nullptr) munmap(block.data, block.mapped);
    block.data = nullptr;
    errno = error;
    return false;
  };
  struct stat status {};
  if (fstat(fd, &status) != 0) return fail();
  const size_t size = static_cast<size_t>(status.st_size);
  block.mapped = before + size + after;
  if (block.mapped == 0) block.mapped = 1;
  void* memory = mmap(nullptr, block.mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (memory == MAP_FAILED) return fail();
  block.data = static_cast<char*>(memory);
  size_t done = 0;
  while (done < size) {
    const ssize_t got = read(fd, block.data + before + done, size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail();
    if (got == 0) break;  // shorter than fstat said: being rewritten; what was read is taken
    done += static_cast<size_t>(got);
  }
  close(fd);
  block.length = before + done + after;
  return true;
}

bool IsAscii(const char* data, size_t length) {
  unsigned char any = 0;
  for (size_t i = 0; i < length; i++) any |= static_cast<unsigned char>(data[i]);
  return (any & 0x80) == 0;
}

// The source's memory, unmapped when V8 collects the string (a daemon's bundle lives as long as it).
class SourceResource : public v8::String::ExternalOneByteStringResource {
 public:
  explicit SourceResource(const Block& block) : block_(block) {}
  const char* data() const override { return block_.data; }
  size_t length() const override { return block_.length; }
  void Dispose() override {
    munmap(block_.data, block_.mapped);
    delete this;
  }

 private:
  Block block_;
};

// readWrappedSource(path, before, after): before + the file + after as one external one-byte
// string; undefined when the file is not ASCII (the caller then decodes it as UTF-8) or `before` or
// `after` is not. Throws when the file cannot be read.
Napi::Value ReadWrappedSource(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString()) {
    Napi::TypeError::New(env, "readWrappedSource(path: string, before: string, after: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const std::string before = info[1].As<Napi::String>().Utf8Value();
  const std::string after = info[2].As<Napi::String>().Utf8Value();
  Block block;
  if (!ReadInto(path, before.size(), after.size(), block)) {
    KernelError(env, "read " + path, errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::memcpy(block.data, before.data(), before.size());
  std::memcpy(block.data + block.length - after.size(), after.data(), after.size());
  if (!IsAscii(block.data, block.length)) {
    munmap(block.data, block.mapped);
    return env.Undefined();
  }
  v8::Isolate* isolate = v8::Isolate::GetCurrent();
  auto* resource = new SourceResource(block);
  v8::Local<v8::String> text;
  if (!v8::String::NewExternalOneByte(isolate, resource).ToLocal(&text)) {
    resource->Dispose();
    Napi::Error::New(env, "readWrappedSource: V8 refused the external string").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  // A napi_value is the address of a V8 handle, as Node's own N-API converts them
  // (v8impl::JsValueFromV8LocalValue); the callback's handle scope holds it.
  v8::Local<v8::Value> value = text;
  static_assert(sizeof(napi_value) == sizeof(value), "a napi_value is a V8 handle");
  napi_value result;
  std::memcpy(&result, &value, sizeof result);
  return Napi::Value(env, result);
}

// readWholeFile(path): the file in a Buffer over populated anonymous memory, unmapped when the
// Buffer is collected. Throws when it cannot be read.
Napi::Value ReadWholeFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsString()) {
    Napi::TypeError::New(env, "readWholeFile(path: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  Block block;
  if (!ReadInto(path, 0, 0, block)) {
    KernelError(env, "read " + path, errno).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const size_t mapped = block.mapped;
  return Napi::Buffer<char>::New(env, block.data, block.length, [mapped](Napi::Env, char* data) { munmap(data, mapped); });
}

}  // namespace

void RegisterBundleSource(Napi::Env env, Napi::Object exports) {
  exports.Set("readWrappedSource", Napi::Function::New(env, ReadWrappedSource, "readWrappedSource"));
  exports.Set("readWholeFile", Napi::Function::New(env, ReadWholeFile, "readWholeFile"));
}
