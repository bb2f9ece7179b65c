// The one addon, vrrpd_shims: each source file registers its functions on the module's exports
// (module.cc calls them all).
#pragma once
#include <napi.h>

// packet_socket.cc: sendFrame (AF_PACKET, for gratuitous ARP and unsolicited NA).
void RegisterPacketSocket(Napi::Env env, Napi::Object exports);
// vrrp6_socket.cc: Vrrp6Socket (IPv6 VRRP with the received hop limit).
void InitVrrp6Socket(Napi::Env env, Napi::Object exports);
// unix_datagram.cc: sendUnixDatagram (sd_notify).
void RegisterUnixDatagram(Napi::Env env, Napi::Object exports);
// signal_pipe.cc: signalPipe, realtimeSignalMin (keepalived's SIGRTMIN+2 JSON dump).
void RegisterSignalPipe(Napi::Env env, Napi::Object exports);
