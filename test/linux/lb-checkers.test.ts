// A real server's built-in checkers in the LVS-NAT layout with real traffic: vrrpd runs a
// keepalived.conf whose real servers are checked by HTTP_GET (status_code and a digest, the MD5 of
// the body as genhash computes it), SSL_GET (against TLS servers, verified with the test CA) and
// DNS_CHECK (dnsmasq, a UDP/53 virtual server) and PING_CHECK (ICMP echo). A server answering with the wrong status or body,
// or not at all, leaves rotation (no request after that reaches it) with the reason in `vrrpd
// status`, and returns once it answers right again. Times are printed, not asserted.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { VirtualServerStatus } from '../../src/daemon/lb/status.js';
import { holds, waitFor } from '../helpers/daemons.js';
import { createNatLab, directorVrrp, GATEWAY_VIP, listening, REAL_SERVERS, requests, runDirector, SERVICE_VIP, virtualServers, type Director, type NatLab } from '../helpers/lb-lab.js';
import { isRoot } from '../helpers/netns.js';
import { removeScratchDir } from '../helpers/scratch.js';
import { haveServers, makeCertificates, serverDir, startDnsmasq, type Running } from '../helpers/servers.js';

const md5 = (text: string): string => createHash('md5').update(text).digest('hex');

/**
 * A real server: its name on every path but /health, which answers "healthy" with 200, unless
 * its state file says `status` (503) or `body` (200 "unhealthy"); over HTTP on 80 and HTTPS on 443.
 */
const REAL_SERVER = `
const [name, address, stateFile, dir] = process.argv.slice(2);
const fs = require('fs');
const handler = (request, response) => {
  response.setHeader('connection', 'close');
  if (!request.url.startsWith('/health')) return response.end(name);
  let state = '';
  try { state = fs.readFileSync(stateFile, 'utf8').trim(); } catch {}
  if (state === 'status') response.statusCode = 503;
  response.end(state === 'body' ? 'unhealthy' : 'healthy');
};
let up = 0;
const ready = () => { if (++up === 2) console.log('listening'); };
require('http').createServer(handler).listen(80, address, ready);
require('https').createServer({ key: fs.readFileSync(dir + '/server.key'), cert: fs.readFileSync(dir + '/server.pem') }, handler).listen(443, address, ready);
`;

/** A virtual server on the service VIP whose three real servers each have `checker`. */
function virtualServer(port: number, protocol: 'TCP' | 'UDP', checker: string): string {
  const servers = REAL_SERVERS.map((address) => `  real_server ${address} ${port} {\n${checker}  }\n`).join('');
  return `virtual_server ${SERVICE_VIP} ${port} {\n  protocol ${protocol}\n  lvs_sched rr\n  lvs_method NAT\n  delay_loop 1\n  connect_timeout 1\n  retry 1\n  delay_before_retry 0.5\n${servers}}\n`;
}

const httpCheck = (type: 'HTTP_GET' | 'SSL_GET', extra = ''): string =>
  `    ${type} {\n      url {\n        path /health\n        digest ${md5('healthy')}\n        status_code 200\n      }\n${extra}    }\n`;

describe.skipIf(!isRoot() || !haveServers)('built-in checkers of real servers, in the LVS-NAT layout (needs root, dnsmasq, openssl)', () => {
  let lab: NatLab;
  let dir = '';
  let director: Director;
  let child: ChildProcess | undefined;
  const dnsmasq: Running[] = [];

  const state = (index: number, value: 'ok' | 'status' | 'body'): void => writeFileSync(join(dir, `rs${index + 1}.state`), value);
  const service = async (port: number, protocol = 'tcp'): Promise<VirtualServerStatus> => (await virtualServers(director)).find((vs) => vs.key === `[${SERVICE_VIP}]:${protocol}:${port}`)!;
  const server = async (port: number, index: number, protocol = 'tcp') => (await service(port, protocol)).realServers.find((rs) => rs.key === `[${REAL_SERVERS[index]}]:${protocol}:${port}`)!;
  const rules = async (): Promise<string> => (await lab.directors[0]!.exec('nft', ['list', 'table', 'inet', 'vrrpd_lb'])).stdout;

  beforeAll(async () => {
    lab = await createNatLab();
    dir = serverDir('lb-checkers');
    makeCertificates(dir, ['rs.example.test', SERVICE_VIP, ...REAL_SERVERS]);
    writeFileSync(join(dir, 'real-server.cjs'), REAL_SERVER);
    for (const [index, host] of lab.realServers.entries()) {
      state(index, 'ok');
      await listening(host.spawn('node', [join(dir, 'real-server.cjs'), `rs${index + 1}`, REAL_SERVERS[index]!, join(dir, `rs${index + 1}.state`), dir]));
      dnsmasq.push(await startDnsmasq(host, [REAL_SERVERS[index]!]));
    }
    const conf = join(lab.scratch, 'keepalived.conf');
    writeFileSync(
      conf,
      [
        directorVrrp(150),
        virtualServer(80, 'TCP', httpCheck('HTTP_GET')),
        virtualServer(443, 'TCP', httpCheck('SSL_GET', `      verify_certificate ${join(dir, 'ca.pem')}\n`)),
        virtualServer(53, 'UDP', '    DNS_CHECK {\n      type A\n      name svc.example.test\n    }\n'),
        virtualServer(8080, 'TCP', '    PING_CHECK {\n    }\n'),
      ].join('\n'),
    );
    const d1 = lab.directors[0]!;
    director = runDirector(d1, conf, join(lab.scratch, 'd1.sock'), ['--log-level', 'debug']);
    child = director.process;
    const lines = director.lines;
    await waitFor('d1 to hold both VIPs', async () => (await holds(d1, SERVICE_VIP)) && (await d1.addresses('eth1')).some((a) => a.startsWith(`${GATEWAY_VIP}/`)), 30_000);
    const passed = async (): Promise<boolean> => {
      const services = await virtualServers(director);
      return services.length === 4 && services.every((vs) => vs.realServers.every((rs) => rs.inService && rs.checkers.every((c) => c.runs > 0 && c.state === 'up')));
    };
    await waitFor('every checker to have passed', () => passed().catch(() => false), 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${lines.slice(-30).join('\n')}`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const line of (director?.lines ?? []).filter((l) => /lb-check-failed|lb-server-|error/.test(l)).slice(0, 20)) console.log(line.slice(0, 300));
    child?.kill('SIGTERM');
    await Promise.race([director?.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    child?.kill('SIGKILL');
    await lab?.destroy();
    if (dir) removeScratchDir(dir);
  });

  test('HTTP_GET with status_code and digest: a wrong status, then a wrong body, takes a server out (no request reaches it) with the reason in status; answering right, it returns', async () => {
    const all = await requests(lab.clients[0]!, `http://${SERVICE_VIP}/`, 99);
    expect(all.counts).toEqual({ rs1: 33, rs2: 33, rs3: 33 });
    expect((await server(80, 1)).checkers[0]).toMatchObject({ id: 'HTTP_GET', state: 'up', detail: 'HTTP status 200, digest matches' });

    for (const [broken, reason, detail] of [
      ['status', 'http-status', 'HTTP status 503 (expected 200)'],
      ['body', 'digest', `MD5 digest ${md5('unhealthy')} of the 9-byte body is not ${md5('healthy')}`],
    ] as const) {
      state(1, broken);
      const leftMs = await waitFor(`rs2 to leave rotation (${broken})`, async () => !(await server(80, 1)).inService, 30_000);
      expect((await server(80, 1)).checkers[0]).toMatchObject({ state: 'failed', reason });
      expect((await server(80, 1)).checkers[0]!.detail).toContain(detail);
      const after = await requests(lab.clients[0]!, `http://${SERVICE_VIP}/`, 100);
      console.log(`HTTP_GET, rs2 answering a wrong ${broken}: out of rotation ${Math.round(leftMs)} ms after; 100 requests then: ${JSON.stringify(after.counts)}, ${after.failures} failed`);
      expect(after.failures).toBe(0);
      expect(after.counts['rs2']).toBeUndefined();
      state(1, 'ok');
      const backMs = await waitFor(`rs2 to return (${broken})`, async () => (await server(80, 1)).inService, 30_000);
      console.log(`HTTP_GET, rs2 answering right again: back in rotation ${Math.round(backMs)} ms after`);
      expect((await server(80, 1)).checkers[0]).toMatchObject({ state: 'up', lastFailure: expect.stringContaining(detail) });
      expect((await requests(lab.clients[0]!, `http://${SERVICE_VIP}/`, 99)).counts).toEqual({ rs1: 33, rs2: 33, rs3: 33 });
    }
  }, 120_000);

  test('SSL_GET against TLS servers (verify_certificate with the test CA): one answering 503 leaves the HTTPS service and returns', async () => {
    const tls = ['--cacert', join(dir, 'ca.pem')];
    // A real server's HTTPS check reads the same health state as its HTTP check, which the test
    // before broke and restored for rs2: its SSL_GET checker may bring it back a little later.
    for (const index of REAL_SERVERS.keys()) await waitFor(`rs${index + 1} in the HTTPS service`, async () => (await server(443, index)).inService, 30_000);
    expect((await requests(lab.clients[0]!, `https://${SERVICE_VIP}/`, 30, 2, tls)).counts).toEqual({ rs1: 10, rs2: 10, rs3: 10 });
    expect((await server(443, 2)).checkers[0]).toMatchObject({ id: 'SSL_GET', state: 'up', detail: 'HTTP status 200, digest matches' });
    state(2, 'status');
    const leftMs = await waitFor('rs3 to leave the HTTPS service', async () => !(await server(443, 2)).inService, 30_000);
    expect((await server(443, 2)).checkers[0]).toMatchObject({ state: 'failed', reason: 'http-status', detail: expect.stringContaining('HTTP status 503 (expected 200)') });
    const after = await requests(lab.clients[0]!, `https://${SERVICE_VIP}/`, 40, 2, tls);
    console.log(`SSL_GET, rs3 answering 503: out of rotation ${Math.round(leftMs)} ms after; 40 requests then: ${JSON.stringify(after.counts)}, ${after.failures} failed`);
    expect(after).toMatchObject({ failures: 0, counts: { rs1: 20, rs2: 20 } });
    state(2, 'ok');
    await waitFor('rs3 to return to the HTTPS service', async () => (await server(443, 2)).inService, 30_000);
    expect((await requests(lab.clients[0]!, `https://${SERVICE_VIP}/`, 30, 2, tls)).counts).toEqual({ rs1: 10, rs2: 10, rs3: 10 });
  }, 120_000);

  test('DNS_CHECK against dnsmasq on a UDP/53 service: a stopped dnsmasq leaves rotation, queries through the VIP all succeed, and it returns', async () => {
    const resolveAll = async (count: number): Promise<number> => {
      // A new resolver (a new source port, so a new conntrack flow) per query.
      const script = `const { Resolver } = require('dns').promises; (async () => { let ok = 0; for (let i = 0; i < ${count}; i++) { const r = new Resolver({ timeout: 1000, tries: 1 }); r.setServers(['${SERVICE_VIP}']); try { if ((await r.resolve4('svc.example.test'))[0] === '192.0.2.53') ok++; } catch {} } console.log(ok); })();`;
      return Number((await lab.clients[0]!.exec('node', ['-e', script])).stdout.trim());
    };
    expect(await resolveAll(12)).toBe(12);
    await dnsmasq[2]!.stop();
    const leftMs = await waitFor('rs3 to leave the DNS service', async () => !(await server(53, 2, 'udp')).inService, 30_000);
    const checker = (await server(53, 2, 'udp')).checkers[0]!;
    console.log(`DNS_CHECK, rs3's dnsmasq stopped: out of rotation ${Math.round(leftMs)} ms after (${checker.detail})`);
    expect(checker).toMatchObject({ id: 'DNS_CHECK', state: 'failed' });
    // The status shows the pool's decision; the table follows in its own nft transaction.
    await waitFor('the table to spread over rs1 and rs2 alone', async () => (await rules()).includes('numgen inc mod 2 map { 0 : 198.51.100.11 . 53, 1 : 198.51.100.12 . 53 }'), 10_000);
    expect(await resolveAll(12)).toBe(12);
    dnsmasq[2] = await startDnsmasq(lab.realServers[2]!, [REAL_SERVERS[2]]);
    await waitFor('rs3 to return to the DNS service', async () => (await server(53, 2, 'udp')).inService, 30_000);
    expect((await server(53, 2, 'udp')).checkers[0]).toMatchObject({ state: 'up', detail: 'DNS A svc.example.test: NOERROR' });
  }, 120_000);

  test('PING_CHECK: a real server that stops answering ICMP echo (nftables drops it there) leaves rotation and returns when it answers again', async () => {
    const host = lab.realServers[0]!;
    expect((await server(8080, 0)).checkers[0]).toMatchObject({ id: 'PING_CHECK', state: 'up' });
    await host.exec('nft', ['add', 'table', 'inet', 'drop_echo']);
    await host.exec('nft', ['add', 'chain', 'inet', 'drop_echo', 'input', '{ type filter hook input priority 0; }']);
    await host.exec('nft', ['add', 'rule', 'inet', 'drop_echo', 'input', 'icmp', 'type', 'echo-request', 'drop']);
    try {
      const leftMs = await waitFor('rs1 to leave the ping-checked service', async () => !(await server(8080, 0)).inService, 30_000);
      const checker = (await server(8080, 0)).checkers[0]!;
      console.log(`PING_CHECK, rs1 dropping echo requests: out of rotation ${Math.round(leftMs)} ms after (${checker.detail})`);
      expect(checker).toMatchObject({ state: 'failed', reason: 'timeout' });
      await waitFor('the table to spread over rs2 and rs3 alone', async () => (await rules()).includes('numgen inc mod 2 map { 0 : 198.51.100.12 . 8080, 1 : 198.51.100.13 . 8080 }'), 10_000);
    } finally {
      await host.exec('nft', ['delete', 'table', 'inet', 'drop_echo']);
    }
    await waitFor('rs1 to return to the ping-checked service', async () => (await server(8080, 0)).inService, 30_000);
    expect((await server(8080, 0)).checkers[0]).toMatchObject({ state: 'up' });
  }, 120_000);
});
