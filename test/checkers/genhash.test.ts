// genhash's command line and hex dumps (src/checkers/genhash.ts); its output against keepalived's
// own genhash on real servers is in test/linux/checkers.test.ts.
import { describe, expect, test } from 'vitest';
import { dumpBuffer, parseGenhashArgs } from '../../src/checkers/genhash.js';

describe('genhash', () => {
  test("options as genhash's getopt_long takes them: short, bundled, attached, long with = or a separate value", () => {
    expect(parseGenhashArgs(['-vS', '-s', '2001:DB8::1', '-p443', '--url=/healthz', '--use-virtualhost', 'api.example.test', '-I', '-P', '1.0c', '-t', '3'])).toEqual({
      kind: 'run',
      options: { ssl: true, sni: true, server: '2001:db8::1', family: 'ipv6', port: 443, url: '/healthz', virtualhost: 'api.example.test', verbose: true, protocol: '1.0C', timeoutMs: 3000 },
    });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u', '/'])).toMatchObject({ kind: 'run', options: { protocol: '1.0', ssl: false } });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u', '/']).kind === 'run' && 'timeoutMs' in (parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u', '/']) as { options: object }).options).toBe(false);
  });

  test('what genhash refuses, with its messages', () => {
    expect(parseGenhashArgs(['-s', '192.0.2.1'])).toEqual({ kind: 'usage' });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80'])).toEqual({ kind: 'usage' });
    expect(parseGenhashArgs(['-s', 'example.test', '-p', '80', '-u', '/'])).toEqual({ kind: 'usage', message: 'server should be an IP, not example.test' });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '0', '-u', '/'])).toEqual({ kind: 'usage', message: "invalid port number '0'" });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u', '/', '-P', '2'])).toEqual({ kind: 'usage', message: "invalid HTTP protocol version '2'" });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u', '/', '-x'])).toEqual({ kind: 'usage', message: 'Unknown option -x' });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u', '/', '--nope'])).toEqual({ kind: 'usage', message: 'Unknown option --nope' });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u'])).toEqual({ kind: 'usage', message: 'Missing parameter for option -u' });
    expect(parseGenhashArgs(['-s', '192.0.2.1', '-p', '80', '-u', '/', 'extra'])).toEqual({ kind: 'usage', message: 'Unexpected argument(s): extra' });
  });

  test("dump_buffer's layout: decimal offsets, a dash after 8 bytes, printable characters, a short last line padded", () => {
    expect(dumpBuffer(Buffer.from('HTTP/1.0 200 OK\r\nServer: x\r\n\r\n'))).toBe(
      '0000  48 54 54 50 2f 31 2e 30 - 20 32 30 30 20 4f 4b 0d   HTTP/1.0 200 OK.\n' +
        '0016  0a 53 65 72 76 65 72 3a - 20 78 0d 0a 0d 0a         .Server: x....  \n',
    );
  });
});
