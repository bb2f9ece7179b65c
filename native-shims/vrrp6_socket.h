// The IPv6 VRRP socket (vrrp6_socket.cc), registered on the module's exports by packet_socket.cc.
#pragma once
#include <napi.h>

void InitVrrp6Socket(Napi::Env env, Napi::Object exports);
