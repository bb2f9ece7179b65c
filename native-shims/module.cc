// The module: every shim's functions on one exports object (see shims.h and README.md).
#include <napi.h>

#include "shims.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  RegisterPacketSocket(env, exports);
  InitVrrp4Socket(env, exports);
  InitVrrp6Socket(env, exports);
  RegisterUnixDatagram(env, exports);
  RegisterSignalPipe(env, exports);
  RegisterSignalResignation(env, exports);
  InitMonotonicTimer(env, exports);
  InitBfdSocket(env, exports);
  InitBfdPacer(env, exports);
  RegisterThreadPriority(env, exports);
  RegisterMallocTrim(env, exports);
  RegisterV8Flags(env, exports);
  RegisterMemoryPressure(env, exports);
  RegisterBundleSource(env, exports);
  RegisterScriptSpawn(env, exports);
  InitNetlinkWatchSocket(env, exports);
  InitNetlinkRequestSocket(env, exports);
  InitDirectoryWatch(env, exports);
  InitTlsStream(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(vrrpd_shims, Init)
