// keepalived's checker process without IPVS in the kernel, for bench/checkers.ts's keepalived
// column. keepalived 2.2.7 (Debian) starts its checker only once IPVS answers (check_daemon.c:
// ipvs_start() before any check; here it logs "IPVS: Can't initialize ipvs: No such file or
// directory" and the checker exits FATAL, taking keepalived with it). Preloaded into keepalived
// (LD_PRELOAD), this answers its IPVS socket options as an empty IPVS would: IP_VS_SO_GET_* fill
// zeros (GET_INFO: version 1.2.1, table size 4096, no service), IP_VS_SO_SET_* succeed and do
// nothing. keepalived's generic-netlink attempt still fails (no "IPVS" family) and it falls back to
// these socket options (libipvs's ipvs_init). Every other socket option goes to libc. A healthy
// real server's check makes no IPVS call (keepalived touches IPVS only when a server's state
// changes), so the checks measured are keepalived's own, the stub on no path of theirs.
//   gcc -O2 -shared -fPIC -o NAME.so bench/ipvs-stub.c -ldl
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* linux/ip_vs.h: IP_VS_BASE_CTL, the first of IPVS's socket options (SET_* and GET_* from it). */
#define IP_VS_BASE_CTL (64 + 1024 + 64)
#define IP_VS_SO_GET_VERSION IP_VS_BASE_CTL
#define IP_VS_SO_GET_INFO (IP_VS_BASE_CTL + 1)
#define IS_IPVS(level, opt) ((level) == IPPROTO_IP && (opt) >= IP_VS_BASE_CTL && (opt) < IP_VS_BASE_CTL + 32)

int getsockopt(int fd, int level, int opt, void *val, socklen_t *len) {
  if (IS_IPVS(level, opt)) {
    memset(val, 0, *len);
    /* struct ip_vs_getinfo { version, size, num_services } */
    if (opt == IP_VS_SO_GET_INFO && *len >= 3 * sizeof(unsigned)) {
      unsigned *info = val;
      info[0] = 0x010201;
      info[1] = 4096;
    }
    if (opt == IP_VS_SO_GET_VERSION && *len > 1) strncpy(val, "IP Virtual Server version 1.2.1 (size=4096)", *len - 1);
    return 0;
  }
  int (*real)(int, int, int, void *, socklen_t *) = (int (*)(int, int, int, void *, socklen_t *))dlsym(RTLD_NEXT, "getsockopt");
  return real(fd, level, opt, val, len);
}

int setsockopt(int fd, int level, int opt, const void *val, socklen_t len) {
  if (IS_IPVS(level, opt)) return 0;
  int (*real)(int, int, int, const void *, socklen_t) = (int (*)(int, int, int, const void *, socklen_t))dlsym(RTLD_NEXT, "setsockopt");
  return real(fd, level, opt, val, len);
}
