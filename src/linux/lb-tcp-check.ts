// keepalived's TCP_CHECK for the load balancer: a real server passes when a TCP connection to it
// (connect_ip / connect_port, else its own address and port; from bindto when given) is
// established within connect_timeout, and the connection is closed at once (check_tcp.c). Retries
// (retry, delay_before_retry; one attempt on a checker's first run) are check-loop.ts's.
//
// This is the stand-in until the built-in checkers (src/checkers, branch `checkers`) are in main:
// then the daemon takes every checker type from there and this file goes.
import { connect } from 'node:net';
import type { ResolvedChecker, ResolvedRealServer } from '../config/validate-virtual-servers.js';
import type { Clock } from '../core/clock.js';
import { retrying, type CheckOutcome, type RealServerCheck } from '../lb/check-loop.js';

/** One connection attempt to host:port, given up after timeoutMs. */
export function tcpConnect(target: { readonly host: string; readonly port: number; readonly bindTo?: string }, timeoutMs: number, signal: AbortSignal): Promise<CheckOutcome> {
  const where = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  return new Promise((resolve) => {
    const socket = connect({ host: target.host, port: target.port, ...(target.bindTo !== undefined ? { localAddress: target.bindTo } : {}) });
    let done = false;
    const finish = (outcome: CheckOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', aborted);
      socket.destroy();
      resolve(outcome);
    };
    const aborted = (): void => finish({ ok: false, detail: `TCP connection to ${where} abandoned` });
    const timer = setTimeout(() => finish({ ok: false, detail: `TCP connection to ${where} timed out after ${timeoutMs} ms` }), timeoutMs);
    socket.once('connect', () => finish({ ok: true, detail: `TCP connection to ${where} established` }));
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ ok: false, detail: `TCP connection to ${where} failed: ${error.code ?? error.message}` }));
    if (signal.aborted) aborted();
    else signal.addEventListener('abort', aborted, { once: true });
  });
}

/** TCP_CHECK of a real server, with keepalived's retries; undefined for another checker type. */
export function tcpCheck(server: ResolvedRealServer, checker: ResolvedChecker, clock: Clock): RealServerCheck | undefined {
  const config = checker.config;
  if (config.type !== 'TCP_CHECK') return undefined;
  const host = config.connectIp ?? server.address;
  const port = config.connectPort ?? server.port;
  return retrying(
    async (signal) => (port === 0 ? { ok: false, detail: `TCP_CHECK of ${server.key} has no port to connect to: give connect_port` } : tcpConnect({ host, port, ...(config.bindTo !== undefined ? { bindTo: config.bindTo } : {}) }, checker.connectTimeoutMs, signal)),
    { retry: checker.retry, delayBeforeRetryMs: checker.delayBeforeRetryMs, clock },
  );
}
