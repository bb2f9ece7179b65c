// CheckPlacement (src/linux/checkers/placement.ts): the first twenty runs of any one-second window
// of checks light on the main loop stay there, the rest and every node:tls handshake go to the
// worker. Times are given, so this is exact.
import { describe, expect, test } from 'vitest';
import type { CheckSpec } from '../../src/checkers/spec.js';
import { CheckPlacement, MAIN_LOOP_RUNS_PER_SECOND } from '../../src/linux/checkers/placement.js';

const endpoint = { address: '192.0.2.20', family: 'ipv4', port: 443 } as const;
const common = { endpoint, connectTimeoutMs: 1000, retry: 0, delayBeforeRetryMs: 0 };
const sslGet = (caFile?: string): CheckSpec =>
  ({ type: 'SSL_GET', ...common, urls: [{ path: '/', statusCodes: [[200, 299]] }], protocol: '1.0', tls: { sni: false, compliant: false, ...(caFile ? { caFile } : {}) } }) as unknown as CheckSpec;
const tcp = { type: 'TCP_CHECK', ...common } as unknown as CheckSpec;

/** Where each of `count` runs of `spec` at `now` goes. */
const places = (placement: CheckPlacement, spec: CheckSpec, now: number, count: number): string[] => Array.from({ length: count }, () => placement.place(spec, now));

describe('CheckPlacement', () => {
  test('twenty runs a second on the main loop, the rest in the worker, a new window a second after the last began', () => {
    const placement = new CheckPlacement({ nativeTls: true });
    expect(MAIN_LOOP_RUNS_PER_SECOND).toBe(20);
    const first = [...places(placement, sslGet(), 0, 15), ...places(placement, tcp, 500, 10)];
    expect(first.filter((where) => where === 'main-loop')).toHaveLength(20);
    expect(first.slice(20)).toEqual(Array(5).fill('worker'));
    expect(places(placement, tcp, 999.9, 1)).toEqual(['worker']);
    expect(places(placement, tcp, 1000, 21)).toEqual([...Array(20).fill('main-loop'), 'worker']);
  });

  test('node:tls handshakes go to the worker: a verified SSL_GET, or any SSL_GET without the native stream; VRRPD_CHECKER_THREAD=worker sends all', () => {
    const native = new CheckPlacement({ nativeTls: true });
    expect(native.place(sslGet('/etc/ssl/ca.pem'), 0)).toBe('worker');
    expect(native.place(sslGet(), 0)).toBe('main-loop');
    const without = new CheckPlacement({ nativeTls: false });
    expect(without.place(sslGet(), 0)).toBe('worker');
    expect(without.place(tcp, 0)).toBe('main-loop');
    const allInWorker = new CheckPlacement({ nativeTls: true, allInWorker: true });
    expect([allInWorker.place(sslGet(), 0), allInWorker.place(tcp, 0)]).toEqual(['worker', 'worker']);
  });
});
