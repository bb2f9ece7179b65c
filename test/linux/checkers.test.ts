// The built-in checkers against real servers in network namespaces, through the Linux adapter
// (src/linux/checkers): nginx over HTTP and HTTPS, TCP, ICMP and ICMPv6 echo answered by the
// kernel, dnsmasq for DNS, and servers that misbehave (hostile-server.mjs), over IPv4 and IPv6, in
// plain HTTP and behind TLS: accept and never answer, trickle bytes, send 100 MB, reset, close,
// answer with the wrong status, fail the TLS handshake, present a certificate that does not
// verify. The checker runs on host `chk` (run-check.mjs), the servers on `srv`.
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runChecks, type CheckLine } from '../helpers/run-check.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { waitFor } from '../helpers/daemons.js';
import { haveServers, makeCertificates, nginxConfig, serverDir, startDnsmasq, startNginx } from '../helpers/servers.js';

const vrrpdBin = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const hostileServer = join(import.meta.dirname, '..', 'checkers', 'hostile-server.mjs');
/** keepalived's genhash (Debian's keepalived package has it): the reference for `vrrpd genhash`. */
const haveGenhash = spawnSync('genhash', ['-h'], { stdio: 'ignore' }).error === undefined;
const SRV = '192.0.2.20';
const SRV6 = '2001:db8::20';
const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

type Result = CheckLine;

let lab: NamespaceLab | undefined;
let dir = '';
let chk: LabHost;
let srv: LabHost;
const hostileLines: string[] = [];

async function check(spec: Record<string, unknown>): Promise<Result> {
  return (await runChecks(chk, { spec })).pop() ?? ({} as Result);
}

/** One check of each spec, all at once in one process; the results in the same order. */
async function checks(specs: readonly Record<string, unknown>[]): Promise<Result[]> {
  return runChecks(chk, { specs });
}

const endpoint = (port: number, family: 'ipv4' | 'ipv6' = 'ipv4', extra: Record<string, unknown> = {}) => ({ address: family === 'ipv4' ? SRV : SRV6, family, port, ...extra });
const common = (port: number, family: 'ipv4' | 'ipv6' = 'ipv4') => ({ endpoint: endpoint(port, family), connectTimeoutMs: 2000, retry: 0, delayBeforeRetryMs: 0 });
const url = (path: string, extra: Record<string, unknown> = {}) => ({ path, statusCodes: [[200, 299]], ...extra });
const httpGet = (port: number, urls: unknown[], extra: Record<string, unknown> = {}) => ({ type: 'HTTP_GET', ...common(port), urls, protocol: '1.0', ...extra });
const sslGet = (port: number, urls: unknown[], tls: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  type: 'SSL_GET',
  ...common(port),
  urls,
  protocol: '1.0',
  tls: { sni: false, compliant: false, ...tls },
  ...extra,
});

describe.skipIf(!isRoot() || !haveServers)('built-in checkers against real servers (needs root, nginx, dnsmasq, openssl)', () => {
  beforeAll(async () => {
    await sweepStaleLabs();
    dir = serverDir('checkers');
    makeCertificates(dir, ['api.example.test', SRV, SRV6]);
    lab = await NamespaceLab.create();
    chk = await lab.addHost('chk', ['192.0.2.10/24', '192.0.2.11/24', '2001:db8::10/64', '2001:db8::11/64']);
    srv = await lab.addHost('srv', [`${SRV}/24`, `${SRV6}/64`]);
    await startNginx(srv, nginxConfig(dir, 'nginx', { http: [`${SRV}:80`, `[${SRV6}]:80`], https: [`${SRV}:443`, `[${SRV6}]:443`] }), `${SRV}:443`);
    await startDnsmasq(srv, [SRV, SRV6]);
    const hostile = srv.spawn('node', [hostileServer, `${SRV},${SRV6}`, dir]);
    hostile.stdout?.on('data', (chunk: Buffer) => void hostileLines.push(...chunk.toString().split('\n').filter(Boolean)));
    await waitFor('the hostile servers', async () => hostileLines.some((line) => line.includes('"ready"')), 15_000);
  }, 180_000);

  afterAll(async () => {
    await lab?.destroy();
    lab = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('HTTP_GET: a healthy endpoint passes; a stopped port is refused; status_code ranges and digests are checked', { timeout: 150_000 }, async () => {
    expect(await check(httpGet(80, [url('/readyz')]))).toMatchObject({ ok: true, detail: 'HTTP status 200' });
    expect(await check({ ...httpGet(80, [url('/readyz')]), endpoint: endpoint(80, 'ipv6') })).toMatchObject({ ok: true });
    expect(await check(httpGet(81, [url('/readyz')]))).toMatchObject({ ok: false, reason: 'refused', detail: 'connection refused' });
    expect(await check(httpGet(80, [url('/unavailable')]))).toMatchObject({ ok: false, reason: 'http-status', detail: 'HTTP status 503 (expected 200-299)' });
    expect(await check(httpGet(80, [url('/unavailable', { statusCodes: [[200, 299], [503, 503]] })]))).toMatchObject({ ok: true, detail: 'HTTP status 503' });
    expect(await check(httpGet(80, [url('/readyz', { digest: md5('ok') })]))).toMatchObject({ ok: true, detail: 'HTTP status 200, digest matches' });
    expect(await check(httpGet(80, [url('/readyz', { digest: md5('not ok') })]))).toMatchObject({ ok: false, reason: 'digest', detail: `MD5 digest ${md5('ok')} of the 2-byte body is not ${md5('not ok')}` });
  });

  test('bindto sets the source address (nginx answers with it; its MD5 is the digest)', { timeout: 150_000 }, async () => {
    const whoami = (address: string) => url('/whoami', { digest: md5(address) });
    expect(await check(httpGet(80, [whoami('192.0.2.10')]))).toMatchObject({ ok: true });
    expect(await check({ ...httpGet(80, [whoami('192.0.2.11')]), endpoint: endpoint(80, 'ipv4', { bindTo: '192.0.2.11' }) })).toMatchObject({ ok: true });
    expect(await check({ ...httpGet(80, [whoami('2001:db8::11')]), endpoint: endpoint(80, 'ipv6', { bindTo: '2001:db8::11' }) })).toMatchObject({ ok: true });
    expect(await check({ ...httpGet(80, [whoami('192.0.2.11')]), endpoint: endpoint(80, 'ipv4', { bindTo: '192.0.2.11', bindPort: 40123 }) })).toMatchObject({ ok: true });
  });

  test('SSL_GET: no verification by default (keepalived); verify_certificate against the right CA passes, another CA or a wrong name fails', { timeout: 150_000 }, async () => {
    expect(await check(sslGet(443, [url('/readyz')]))).toMatchObject({ ok: true, detail: 'HTTP status 200' });
    expect(await check({ ...sslGet(443, [url('/readyz')]), endpoint: endpoint(443, 'ipv6') })).toMatchObject({ ok: true });
    expect(await check(sslGet(443, [url('/readyz')], { caFile: join(dir, 'ca.pem') }))).toMatchObject({ ok: true });
    expect(await check(sslGet(443, [url('/readyz')], { caFile: join(dir, 'other.pem') }))).toMatchObject({ ok: false, reason: 'tls', detail: 'TLS handshake failed: unable to verify the first certificate' });
    const wrongName = await check(sslGet(443, [url('/readyz')], { caFile: join(dir, 'ca.pem'), sni: true }, { virtualhost: 'other.example.test' }));
    expect(wrongName).toMatchObject({ ok: false, reason: 'tls' });
    expect(wrongName.detail).toContain("Host: other.example.test. is not in the cert's altnames");
    // enable_sni sends the virtualhost: nginx's $ssl_server_name is it.
    expect(await check(sslGet(443, [url('/sni', { digest: md5('api.example.test') })], { sni: true }, { virtualhost: 'api.example.test' }))).toMatchObject({ ok: true });
    expect(await check(sslGet(443, [url('/sni', { digest: md5('') })], { sni: false }, { virtualhost: 'api.example.test' }))).toMatchObject({ ok: true });
    expect(await check(sslGet(443, [url('/readyz')], { compliant: true }))).toMatchObject({ ok: true });
    // A plain-HTTP port is no TLS server.
    expect(await check(sslGet(80, [url('/readyz')]))).toMatchObject({ ok: false, reason: 'tls' });
  });

  test('SSL_GET through the shim reuses its SSL objects from one check to the next, and each check is still a full handshake with its own SNI name', { timeout: 150_000 }, async () => {
    // nginx sends TLS 1.3 session tickets and accepts them back; $ssl_session_reused is "r" for a
    // resumed session. A check closed with close_notify (tls_compliant) leaves its SSL object a
    // session that SSL_clear keeps: the shim must drop it (keepalived makes a new SSL per check).
    const reused = (tls: Record<string, unknown>) => sslGet(443, [url('/reused', { digest: md5('.') })], { compliant: true, ...tls });
    const named = (name: string) => sslGet(443, [url('/sni', { digest: md5(name) })], { sni: name !== '' }, { virtualhost: name === '' ? 'api.example.test' : name });
    const sequence = [reused({}), reused({}), named('api.example.test'), named(''), reused({ sni: true }), named(''), reused({}), named('api.example.test')];
    const lines = (await runChecks(chk, { sequence })) as Array<Result & { tlsStreams?: [number, number, number] }>;
    const counts = lines.pop()?.tlsStreams;
    expect(lines.map((line) => `${line.ok} ${line.detail}`)).toEqual(sequence.map(() => 'true HTTP status 200, digest matches'));
    // One SSL object made, then reused by every later check.
    expect(counts).toEqual([1, sequence.length - 1, 0]);
  });

  test("HTTP_GET and TCP_CHECK on the main loop go through the shim's plain TCP stream, with node:net's outcomes", { timeout: 150_000 }, async () => {
    const sequence = [
      httpGet(80, [url('/readyz')]),
      { type: 'TCP_CHECK', ...common(443) },
      httpGet(81, [url('/readyz')]),
      { ...httpGet(80, [url('/whoami', { digest: md5('2001:db8::11') })]), endpoint: endpoint(80, 'ipv6', { bindTo: '2001:db8::11' }) },
      httpGet(8006, [url('/')]),
    ];
    const lines = (await runChecks(chk, { sequence })) as Array<Result & { tlsStreams?: [number, number, number] }>;
    const counts = lines.pop()?.tlsStreams;
    expect(lines.map((line) => [line.ok, line.reason ?? 'ok', line.detail])).toEqual([
      [true, 'ok', 'HTTP status 200'],
      [true, 'ok', 'connected'],
      [false, 'refused', 'connection refused'],
      [true, 'ok', 'HTTP status 200, digest matches'],
      [false, 'reset', 'connection reset during the response header (11 bytes received)'],
    ]);
    // Four connected through the shim (a refused connect never is); no SSL object.
    expect(counts).toEqual([0, 0, 4]);
  });

  test('hostile servers each give their reason within connect_timeout, over IPv4 and IPv6, in plain HTTP and behind TLS', { timeout: 240_000 }, async () => {
    // Every case at once in one process: a check held by one server holds up no other.
    const cases: Array<[string, Record<string, unknown>, Partial<Result> | RegExp]> = [];
    const at = (family: 'ipv4' | 'ipv6', spec: Record<string, unknown>) => ({ ...spec, endpoint: { ...(spec.endpoint as object), ...endpoint((spec.endpoint as { port: number }).port, family) } });
    for (const family of ['ipv4', 'ipv6'] as const) {
      for (const [name, get, base] of [
        ['HTTP_GET', (port: number) => httpGet(port, [url('/')]), 8000],
        ['SSL_GET', (port: number) => sslGet(port, [url('/')]), 8100],
      ] as const) {
        const add = (n: number, expected: Partial<Result> | RegExp) => cases.push([`${name} ${family} ${base + n}`, at(family, get(base + n)), expected]);
        add(1, { ok: false, reason: 'timeout', detail: 'timed out after 2000 ms during the response header (0 bytes received)' });
        add(2, /^timed out after 2000 ms during the response header \(\d+ bytes received\)$/);
        add(3, { ok: true, detail: 'HTTP status 200' });
        add(4, { ok: false, reason: 'http-header-too-large', detail: 'no end of the HTTP response header in its first 16384 bytes' });
        add(5, { ok: false, reason: 'reset', detail: 'connection reset during the response header (0 bytes received)' });
        add(6, { ok: false, reason: 'reset', detail: 'connection reset during the response header (11 bytes received)' });
        add(7, { ok: false, reason: 'closed', detail: 'connection closed with no response' });
        add(8, { ok: false, reason: 'http-status', detail: 'HTTP status 500 (expected 200-299)' });
      }
      // The TLS handshake itself: silent, reset, not TLS, a handshake trickled a byte at a time.
      const ssl = (port: number, tls: Record<string, unknown> = {}) => at(family, sslGet(port, [url('/')], tls));
      cases.push([`SSL_GET ${family} 8001`, ssl(8001), { ok: false, reason: 'timeout', detail: 'timed out after 2000 ms during the TLS handshake' }]);
      cases.push([`SSL_GET ${family} 8120`, ssl(8120), { ok: false, reason: 'reset', detail: 'connection reset during the TLS handshake' }]);
      cases.push([`SSL_GET ${family} 8121`, ssl(8121), { ok: false, reason: 'tls', detail: 'TLS handshake failed: wrong version number' }]);
      cases.push([`SSL_GET ${family} 8122`, ssl(8122), { ok: false, reason: 'timeout', detail: 'timed out after 2000 ms during the TLS handshake' }]);
      // A certificate no CA signed, for another name: keepalived does not look; verified, it fails.
      cases.push([`SSL_GET ${family} 8130`, ssl(8130), { ok: true, detail: 'HTTP status 200' }]);
      cases.push([`SSL_GET ${family} 8130 verified`, ssl(8130, { caFile: join(dir, 'ca.pem') }), { ok: false, reason: 'tls', detail: 'TLS handshake failed: self-signed certificate' }]);
    }
    const before = hostileLines.length;
    const results = await checks(cases.map(([, spec]) => spec));
    const seen = cases.map(([name, , expected], i) => {
      const result = results[i];
      const matches = expected instanceof RegExp ? result !== undefined && !result.ok && expected.test(result.detail) : result !== undefined && Object.entries(expected).every(([key, value]) => result[key as keyof Result] === value);
      return { name, detail: result?.detail, reason: result?.reason, matches };
    });
    expect(seen.filter((entry) => !entry.matches)).toEqual([]);

    // The 200 with a 100 MB body is decided on its header: every such connection closed long before 100 MB left.
    const flooded = (port: number) => hostileLines.slice(before).map((line) => JSON.parse(line) as { port?: number; address?: string; written?: number }).filter((line) => line.port === port);
    await waitFor('the 100 MB servers to see the close', async () => flooded(8003).length === 2 && flooded(8103).length === 2, 10_000);
    for (const line of [...flooded(8003), ...flooded(8103)]) expect(line.written).toBeLessThan(100 * 1024 * 1024);
    // With a digest the body must be read: it is hashed as it comes and compared, or the attempt times out.
    const hashed = await check(httpGet(8003, [url('/', { digest: md5('ok') })]));
    expect(hashed.ok).toBe(false);
    expect(['digest', 'timeout']).toContain(hashed.reason);
  });

  test('TCP_CHECK and PING_CHECK over IPv4 and IPv6; an address nobody has is not answered', { timeout: 150_000 }, async () => {
    expect(await check({ type: 'TCP_CHECK', ...common(443) })).toMatchObject({ ok: true, detail: 'connected' });
    expect(await check({ type: 'TCP_CHECK', ...common(443, 'ipv6') })).toMatchObject({ ok: true });
    expect(await check({ type: 'TCP_CHECK', ...common(444) })).toMatchObject({ ok: false, reason: 'refused' });
    expect(await check({ type: 'PING_CHECK', ...common(0) })).toMatchObject({ ok: true, detail: 'echo reply' });
    expect(await check({ type: 'PING_CHECK', ...common(0, 'ipv6') })).toMatchObject({ ok: true, detail: 'echo reply' });
    const nobody = await check({ type: 'PING_CHECK', ...common(0), endpoint: { address: '192.0.2.99', family: 'ipv4', port: 0 } });
    expect(nobody.ok).toBe(false);
    expect(['timeout', 'unreachable']).toContain(nobody.reason);
  });

  test('PING_CHECK bindto: with echo requests from one of two addresses dropped at the server, only the other source is answered', { timeout: 240_000 }, async () => {
    const ping = (family: 'ipv4' | 'ipv6', bindTo: string) => ({ type: 'PING_CHECK', ...common(0, family), connectTimeoutMs: 1000, endpoint: endpoint(0, family, { bindTo }) });
    const answered = async (): Promise<boolean[]> =>
      Promise.all([ping('ipv4', '192.0.2.10'), ping('ipv4', '192.0.2.11'), ping('ipv6', '2001:db8::10'), ping('ipv6', '2001:db8::11')].map(async (spec) => (await check(spec)).ok));
    const dropFrom = async (v4: string, v6: string): Promise<void> => {
      await srv.exec('nft', ['add table inet ckt']);
      await srv.exec('nft', ['flush table inet ckt']);
      await srv.exec('nft', ['add chain inet ckt in { type filter hook input priority 0 ; }']);
      await srv.exec('nft', [`add rule inet ckt in ip saddr ${v4} icmp type echo-request drop`]);
      await srv.exec('nft', [`add rule inet ckt in ip6 saddr ${v6} icmpv6 type echo-request drop`]);
    };
    try {
      await dropFrom('192.0.2.11', '2001:db8::11');
      expect(await answered()).toEqual([true, false, true, false]);
      await dropFrom('192.0.2.10', '2001:db8::10');
      expect(await answered()).toEqual([false, true, false, true]);
    } finally {
      await srv.exec('nft', ['delete table inet ckt']);
    }
  });

  test('DNS_CHECK against dnsmasq: a name it knows passes; the default SOA of "." is REFUSED without upstreams; a closed port is refused', { timeout: 150_000 }, async () => {
    const dns = (family: 'ipv4' | 'ipv6', queryType: string, name: string, port = 53) => ({ type: 'DNS_CHECK', ...common(port, family), queryType, name });
    expect(await check(dns('ipv4', 'A', 'svc.example.test'))).toMatchObject({ ok: true, detail: 'DNS A svc.example.test: NOERROR' });
    expect(await check(dns('ipv6', 'A', 'svc.example.test'))).toMatchObject({ ok: true });
    expect(await check(dns('ipv4', 'SOA', '.'))).toMatchObject({ ok: false, reason: 'dns-rcode', detail: 'DNS answer with rcode 5 (REFUSED)' });
    expect(await check(dns('ipv4', 'A', 'svc.example.test', 5353))).toMatchObject({ ok: false, reason: 'refused' });
  });

  test('UDP_CHECK over IPv4 and IPv6: silence passes without require_reply, an ICMP port unreachable fails; require_reply needs an answer', { timeout: 150_000 }, async () => {
    const udp = (port: number, extra: Record<string, unknown> = {}) => ({ type: 'UDP_CHECK', ...common(port), connectTimeoutMs: 1000, ...extra });
    expect(await check(udp(53))).toMatchObject({ ok: true, detail: 'no reply and no ICMP error within 1000 ms' });
    expect(await check(udp(5353))).toMatchObject({ ok: false, reason: 'refused' });
    // A DNS query as payload: dnsmasq answers; the reply starts with the query's ID.
    const query = '123401000001000000000000037376630765' + '78616d706c650474657374000001' + '0001';
    expect(await check(udp(53, { payload: query, requireReply: { data: '1234', minLength: 12, maxLength: 512 } }))).toMatchObject({ ok: true });
    expect(await check(udp(53, { payload: query, requireReply: { data: '4321', minLength: 0, maxLength: 255 } }))).toMatchObject({ ok: false, reason: 'udp-reply', detail: 'UDP reply differs from require_reply at byte 0' });
    // IPv6: the same three outcomes (ICMPv6 port unreachable is ECONNREFUSED on the connected socket).
    const udp6 = (port: number, extra: Record<string, unknown> = {}) => ({ ...udp(port, extra), endpoint: endpoint(port, 'ipv6') });
    expect(await check(udp6(53))).toMatchObject({ ok: true, detail: 'no reply and no ICMP error within 1000 ms' });
    expect(await check(udp6(5353))).toMatchObject({ ok: false, reason: 'refused' });
    expect(await check(udp6(53, { payload: query, requireReply: { data: '1234', minLength: 12, maxLength: 512 } }))).toMatchObject({ ok: true });
  });

  test.skipIf(!haveGenhash)("vrrpd genhash prints what keepalived's genhash prints, for digests, failures and usage errors", { timeout: 240_000 }, async () => {
    const inChk = (command: string, args: string[]) =>
      new Promise<{ stdout: string; stderr: string; code: number }>((resolve) =>
        execFile('ip', ['netns', 'exec', chk.netns, command, ...args], (error, stdout, stderr) => resolve({ stdout, stderr, code: error ? Number(error.code ?? -1) : 0 })),
      );
    const both = async (args: string[]) => {
      const [theirs, ours] = await Promise.all([inChk('genhash', args), inChk('node', [vrrpdBin, 'genhash', ...args])]);
      return { theirs, ours: { ...ours, stderr: ours.stderr.replaceAll('vrrpd genhash', 'genhash') } };
    };
    const cases: Array<[string[], string | undefined]> = [
      [['-s', SRV, '-p', '80', '-u', '/readyz'], md5('ok')],
      [['-s', SRV6, '-p', '80', '-u', '/unavailable'], undefined],
      [['-S', '-s', SRV, '-p', '443', '-u', '/readyz'], md5('ok')],
      [['-S', '-I', '-V', 'api.example.test', '-s', SRV, '-p', '443', '-u', '/sni'], md5('api.example.test')],
      [['-s', SRV, '-p', '80', '-u', '/readyz', '-P', '1.1'], md5('ok')],
      [['-s', SRV, '-p', '81', '-u', '/'], undefined],
      [['-S', '-s', SRV, '-p', '80', '-u', '/', '-t', '2'], undefined],
      [['-s', SRV, '-p', '8001', '-u', '/', '-t', '1'], undefined],
      [['-s', SRV, '-p', '8007', '-u', '/', '-t', '2'], undefined],
      [['-s', SRV, '-p', '80'], undefined],
      [['-s', 'api.example.test', '-p', '80', '-u', '/'], undefined],
      [['-s', SRV, '-p', '80', '-u', '/', '-x'], undefined],
    ];
    for (const [args, digest] of cases) {
      const { theirs, ours } = await both(args);
      expect(ours, args.join(' ')).toEqual(theirs);
      if (digest) expect(ours.stdout).toBe(`${digest}\n`);
    }
    expect((await both(['-s', SRV, '-p', '81', '-u', '/'])).ours.stdout).toBe('Connection failed\n');
    expect((await both(['-s', SRV, '-p', '8001', '-u', '/', '-t', '1'])).ours.stdout).toBe('Timeout WEB read\n');
    expect((await both(['-s', SRV, '-p', '8007', '-u', '/', '-t', '2'])).ours.stderr).toBe('no data received from remote webserver\n');

    // Verbose: the same dumps (nginx's Date header aside) and the same digest.
    const verbose = await both(['-v', '-s', SRV, '-p', '80', '-u', '/readyz']);
    const shape = (text: string) => text.split('\n').filter((line) => !/GMT|Date|Global response time/.test(line)).map((line) => (/^\d{4} /.test(line) ? 'dump' : line));
    expect(shape(verbose.ours.stdout)).toEqual(shape(verbose.theirs.stdout));
    expect(verbose.ours.stdout).toContain(`-----------------------[ HTML hash final resulting ]-----------------------\n${md5('ok')}\n`);
  });
});
