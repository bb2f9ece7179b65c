// lvs_method DR on nftables with real traffic: one segment, a director holding the VIP through
// VRRP, two real servers with the VIP on their loopback (arp_ignore) answering the clients
// directly. The director forwards each flow's packets unchanged to one server's MAC: a long
// download (thousands of client ACKs) and a keep-alive connection stay on their server, rr spreads
// new connections, a failed server leaves rotation.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { holds, instanceConfig, waitFor } from '../helpers/daemons.js';
import { curlCheck, listening, requests, tcpVirtualServer, virtualServers, type Director } from '../helpers/lb-lab.js';
import { isRoot, NamespaceLab, type LabHost } from '../helpers/netns.js';
import { removeScratchDir, scratchDir } from '../helpers/scratch.js';

const VIP = '192.0.2.100';
const SERVERS = ['192.0.2.21', '192.0.2.22'];
const root = join(import.meta.dirname, '..', '..');

/** An HTTP server answering its name, and on /big 8 MB of it. */
function server(host: LabHost, name: string): ChildProcess {
  const script = `const big = Buffer.alloc(8 << 20, 'x'); require('http').createServer((q, s) => s.end(q.url.startsWith('/big') ? big : ${JSON.stringify(name)})).listen(80, () => console.log('listening'));`;
  return host.spawn('node', ['-e', script]);
}

describe.skipIf(!isRoot())('lvs_method DR (needs root)', () => {
  let lab: NamespaceLab;
  let scratch: string;
  let client: LabHost;
  let director: Director;
  const http: ChildProcess[] = [];

  beforeAll(async () => {
    lab = await NamespaceLab.create();
    scratch = scratchDir('lb-dr');
    client = await lab.addHost('client', ['192.0.2.10/24']);
    const d1 = await lab.addHost('d1', ['192.0.2.2/24']);
    for (const [index, address] of SERVERS.entries()) {
      const host = await lab.addHost(`rs${index + 1}`, [`${address}/24`]);
      await host.ip('addr', 'add', `${VIP}/32`, 'dev', 'lo');
      await host.exec('sysctl', ['-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']);
      const child = server(host, `rs${index + 1}`);
      http.push(child);
      await listening(child);
    }
    const vs = tcpVirtualServer(VIP, 80, {
      method: 'DR',
      delayLoopMs: 1000,
      retry: 1,
      delayBeforeRetryMs: 500,
      realServers: SERVERS.map((address) => ({ family: 'ipv4' as const, address, port: 80, checkers: [curlCheck(address)] })),
    });
    const conf = join(scratch, 'd1.conf');
    const json = join(scratch, 'd1.json');
    const controlSocket = join(scratch, 'd1.sock');
    writeFileSync(conf, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
    writeFileSync(json, JSON.stringify({ virtualServers: [vs] }));
    const child = d1.spawn('node', [join(root, 'test', 'helpers', 'lb-run.mjs'), conf, json, controlSocket]);
    const lines: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    child.stderr?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
    director = { host: d1, process: child, lines, exited: new Promise((resolve) => child.once('exit', resolve)), controlSocket };
    await waitFor('the director to hold the VIP', () => holds(d1, VIP), 30_000);
    await waitFor('the checkers to have run', async () => (await virtualServers(director)).every((v) => v.realServers.every((rs) => rs.checkers.every((c) => c.runs > 0))), 30_000);
  }, 120_000);

  afterAll(async () => {
    director?.process.kill('SIGTERM');
    await Promise.race([director?.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    await lab?.destroy();
    removeScratchDir(scratch);
  });

  test('the netdev table forwards to the servers at the ingress of the VIP\'s interface', async () => {
    const { stdout } = await director.host.exec('nft', ['list', 'table', 'netdev', 'vrrpd_lb']);
    expect(stdout).toContain('type filter hook ingress device "eth0" priority filter; policy accept;');
    expect(stdout).toContain('fwd ip to 192.0.2.21 device "eth0"');
  });

  test('rr spreads new connections over both servers', async () => {
    const rr = await requests(client, `http://${VIP}/`, 200);
    console.log(`DR rr over 200 requests: ${JSON.stringify(rr.counts)}, ${rr.failures} failed`);
    expect(rr.failures).toBe(0);
    expect(rr.counts).toEqual({ rs1: 100, rs2: 100 });
  }, 60_000);

  test('a flow stays on its server: an 8 MB download and a keep-alive connection', async () => {
    const { stdout } = await client.exec('curl', ['-s', '-m', '20', '-o', '/dev/null', '-w', '%{size_download} %{http_code}', `http://${VIP}/big`]);
    expect(stdout).toBe(`${8 << 20} 200`);
    // Two requests on one connection: the same server answers both.
    const keepAlive = await client.exec('curl', ['-s', '-m', '5', '-w', '\n', `http://${VIP}/one`, `http://${VIP}/two`]);
    const answers = keepAlive.stdout.split('\n').filter(Boolean);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toBe(answers[1]);
  }, 60_000);

  test('a failed server leaves rotation and the other takes every connection', async () => {
    http[0]!.kill('SIGKILL');
    await waitFor('rs1 to leave rotation', async () => !(await virtualServers(director))[0]!.realServers[0]!.inService, 30_000);
    // The status says what the pool decided; the kernel's table follows in its own transaction (a
    // CI run sent 2 of 50 connections to rs1 between the two): wait for the table too.
    await waitFor('the netdev table to stop forwarding to rs1', async () => !(await director.host.exec('nft', ['list', 'table', 'netdev', 'vrrpd_lb'])).stdout.includes(`fwd ip to ${SERVERS[0]!} `), 10_000);
    const after = await requests(client, `http://${VIP}/`, 50);
    expect(after).toMatchObject({ counts: { rs2: 50 }, failures: 0 });
  }, 60_000);
});
