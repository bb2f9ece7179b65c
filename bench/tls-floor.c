// What one unverified HTTPS check costs in C with OpenSSL, for bench/RESULTS.md ("Built-in
// checkers", "A check in C"): the floor a native TLS check can reach, beside bench/tls-floor.mjs's
// node:tls figure. Blocking sockets (nothing else runs in this process), one SSL_CTX, a full
// handshake per check, `GET /` read to its end, closed; then the pause.
//   gcc -O2 -o /tmp/NAME bench/tls-floor.c -lssl -lcrypto     (needs libssl-dev)
//   ip netns exec LAB /tmp/NAME INTERVAL_MS CHECKS TLS(1, or 0 for the pause alone) [ADDRESS [PATH]]
// connects to ADDRESS:443 (192.0.2.1 when not given), `GET PATH` (/), and prints
// {"c_cpuMsPerCheck": ...} (user + system, this process). bench/checkers.ts builds and runs it for
// its C floor column.
#include <openssl/ssl.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
static double cpu_ms(void){struct rusage u;getrusage(RUSAGE_SELF,&u);return (u.ru_utime.tv_sec+u.ru_stime.tv_sec)*1e3+(u.ru_utime.tv_usec+u.ru_stime.tv_usec)/1e3;}
static const char*address="192.0.2.1",*path="/";
static void check(SSL_CTX*ctx,int tls){ if(!tls) return;
 int fd=socket(AF_INET,SOCK_STREAM,0);struct sockaddr_in a={.sin_family=AF_INET,.sin_port=htons(443)};inet_pton(AF_INET,address,&a.sin_addr);
 if(connect(fd,(void*)&a,sizeof a)){perror("connect");exit(1);}
 SSL*s=SSL_new(ctx);SSL_set_fd(s,fd);if(SSL_connect(s)!=1){fprintf(stderr,"handshake\n");exit(1);}
 char req[512];snprintf(req,sizeof req,"GET %s HTTP/1.0\r\n\r\n",path);SSL_write(s,req,strlen(req));char b[16384];while(SSL_read(s,b,sizeof b)>0);
 SSL_shutdown(s);SSL_free(s);close(fd);}
int main(int c,char**v){if(c>4)address=v[4];if(c>5)path=v[5];int ms=atoi(v[1]),n=atoi(v[2]),tls=atoi(v[3]);SSL_CTX*ctx=SSL_CTX_new(TLS_client_method());
 for(int i=0;i<3;i++){check(ctx,tls);usleep(ms*1000);}
 double t0=cpu_ms();for(int i=0;i<n;i++){check(ctx,tls);usleep(ms*1000);}
 printf("{\"c_cpuMsPerCheck\":%.3f}\n",(cpu_ms()-t0)/n);return 0;}
