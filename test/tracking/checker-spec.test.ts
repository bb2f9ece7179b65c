// A checker block of the configuration as the checkers take it, and keepalived's hex strings.
import { describe, expect, test } from 'vitest';
import { checkerRunBoundMs, readHexString, type CheckerConfig } from '../../src/config/checkers.js';
import { checkSpecOf } from '../../src/tracking/checker-spec.js';

/** What the block says of its attempts, and what the spec keeps of it as it is. */
const attempts = { connectTimeoutMs: 2000, retry: 1, delayBeforeRetryMs: 500 };
const common = { connectPort: 0, ...attempts, warmupMs: 0, alpha: false, logAllFailures: false };

describe('checker blocks', () => {
  test("keepalived's read_hex_str: pairs, a lone digit between spaces is a byte, X digits are masked", () => {
    expect(readHexString('Ab12f 3 456 546443123', false)).toEqual({ data: 'ab120f03450654644312' + '03' });
    expect(readHexString('12 Xx 3X', true)).toEqual({ data: '120030', mask: '00ff0f' });
    expect(readHexString('12 zz', false)).toBeUndefined();
    expect(readHexString('  ', false)).toBeUndefined();
  });

  test('the run bound is every attempt to its connect_timeout with the waits between', () => {
    expect(checkerRunBoundMs(common)).toBe(2 * 2000 + 500);
  });

  test('UDP payloads and replies become bytes; IPv6 connect_ip is IPv6; SSL options become TLS options', () => {
    const udp: CheckerConfig = { ...common, type: 'UDP_CHECK', connectIp: '2001:db8::1', connectPort: 53, payload: '0102', requireReply: { data: 'ab00', mask: '00ff' }, minReplyLength: 2, maxReplyLength: 9 };
    expect(checkSpecOf(udp)).toEqual({
      type: 'UDP_CHECK',
      endpoint: { address: '2001:db8::1', family: 'ipv6', port: 53 },
      ...attempts,
      payload: Uint8Array.from([1, 2]),
      requireReply: { minLength: 2, maxLength: 9, data: Uint8Array.from([0xab, 0]), mask: Uint8Array.from([0, 0xff]) },
    });
    const ssl: CheckerConfig = {
      ...common,
      type: 'SSL_GET',
      connectIp: '192.0.2.1',
      connectPort: 443,
      bindTo: '192.0.2.2',
      urls: [{ path: '/', statusCodes: [[200, 200]], digest: 'a'.repeat(32) }],
      virtualhost: 'api.example.test',
      httpProtocol: '1.1',
      enableSni: true,
      tlsCompliant: false,
      fastRecovery: false,
      verifyCertificate: '/etc/ca.pem',
    };
    expect(checkSpecOf(ssl)).toMatchObject({
      type: 'SSL_GET',
      endpoint: { address: '192.0.2.1', family: 'ipv4', port: 443, bindTo: '192.0.2.2' },
      urls: [{ path: '/', statusCodes: [[200, 200]], digest: 'a'.repeat(32) }],
      virtualhost: 'api.example.test',
      protocol: '1.1',
      tls: { sni: true, compliant: false, caFile: '/etc/ca.pem' },
    });
    expect(checkSpecOf({ ...ssl, type: 'HTTP_GET' })).not.toHaveProperty('tls');
  });

  test('SMTP_CHECK keeps its helo_name', () => {
    const smtp: CheckerConfig = { ...common, type: 'SMTP_CHECK', connectIp: '192.0.2.25', connectPort: 25, heloName: 'lb1.example.test' };
    expect(checkSpecOf(smtp)).toEqual({
      type: 'SMTP_CHECK',
      endpoint: { address: '192.0.2.25', family: 'ipv4', port: 25 },
      ...attempts,
      heloName: 'lb1.example.test',
    });
  });
});
