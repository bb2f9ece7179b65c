// Kinds of virtual server beyond the TCP/IPv4 ones of lb-nat, with real traffic in the LVS-NAT lab,
// written as keepalived.conf and run by `vrrpd run -f`: a UDP service (each new flow to the next
// server), a fwmark service (an operator's rule marks the packets), an IPv6 service, a
// virtual_server_group of two VIPs, ha_suspend (checks only while the VIP is on the host), and
// inhibit_on_failure (a failed server keeps its established connections and takes no new ones).
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { holds, waitFor } from '../helpers/daemons.js';
import { createNatLab, GATEWAY_VIP, httpServer, listening, REAL_SERVERS, requests, SERVICE_VIP, virtualServers, type Director, type NatLab } from '../helpers/lb-lab.js';
import { isRoot, type LabHost } from '../helpers/netns.js';

const root = join(import.meta.dirname, '..', '..');
const MARKED_VIP = '192.0.2.101';
const VIP6 = '2001:db8:1::100';
const GROUP_VIPS = ['192.0.2.102', '192.0.2.103'] as const;
/** A VIP no instance holds: its ha_suspend service checks only while an operator puts it on d1. */
const SUSPENDED_VIP = '192.0.2.104';
const SERVERS6 = ['2001:db8:2::11', '2001:db8:2::12', '2001:db8:2::13'];

const realServers = (addresses: readonly string[], port: number, body = ''): string => addresses.map((address) => `  real_server ${address} ${port} {\n${body}  }\n`).join('');

const CONFIG = `
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    ${SERVICE_VIP}/24
    ${MARKED_VIP}/24
    ${GROUP_VIPS[0]}/24
    ${GROUP_VIPS[1]}/24
  }
}
virtual_server_group web {
  ${GROUP_VIPS[0]} 80
  ${GROUP_VIPS[1]} 80
}
virtual_server group web {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
${realServers(REAL_SERVERS, 80)}}
virtual_server ${SUSPENDED_VIP} 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  ha_suspend
  delay_loop 1
${realServers(REAL_SERVERS.slice(0, 1), 80, '    TCP_CHECK {\n      connect_timeout 1\n    }\n')}}
virtual_server ${SERVICE_VIP} 53 {
  protocol UDP
  lvs_sched rr
  lvs_method NAT
${realServers(REAL_SERVERS, 5353)}}
virtual_server fwmark 5 {
  lvs_sched rr
  lvs_method NAT
${realServers(REAL_SERVERS, 80)}}
virtual_server ${VIP6} 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
${realServers(SERVERS6, 80)}}
virtual_server ${SERVICE_VIP} 81 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  inhibit_on_failure
  delay_loop 1
  delay_before_retry 0.5
${realServers(REAL_SERVERS, 8081, '    TCP_CHECK {\n      connect_port 9001\n      connect_timeout 1\n    }\n')}}
`;

/** The operator's own marking rule: traffic to MARKED_VIP port 80 gets mark 5 before vrrpd's NAT dispatch. */
const MARKING = `table inet operator {
  chain pre {
    type filter hook prerouting priority mangle; policy accept;
    ip daddr ${MARKED_VIP} tcp dport 80 meta mark set 5
  }
}
`;

/** A UDP server answering each datagram with its name. */
function udpServer(host: LabHost, name: string, port: number): ChildProcess {
  return host.spawn('node', ['-e', `const s = require('dgram').createSocket('udp4'); s.on('message', (m, r) => s.send(${JSON.stringify(name)}, r.port, r.address)); s.bind(${port}, () => console.log('listening'));`]);
}

/** A TCP server answering each line with its name (a connection that stays open and keeps talking). */
function lineServer(host: LabHost, name: string, port: number): ChildProcess {
  return host.spawn('node', ['-e', `require('net').createServer((c) => { c.on('error', () => {}); c.on('data', (d) => { for (const _ of d.toString().split('\\n').slice(1)) c.write(${JSON.stringify(name)} + '\\n'); }); }).listen(${port}, () => console.log('listening'));`]);
}

/**
 * Holds three connections to SERVICE_VIP:81 and prints, as a JSON line, the answer on each; on
 * "again" from stdin asks on each again; on "new" opens 20 new ones and asks once on each ('': no answer in 3 s).
 */
const LINE_CLIENT = `const net = require('net');
function open() { return new Promise((resolve) => { const s = net.connect(81, ${JSON.stringify(SERVICE_VIP)}); let buf = ''; const waiting = [];
  s.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\\n')) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); const w = waiting.shift(); if (w) w(line); } });
  s.on('error', () => {}); s.on('connect', () => resolve({ s, ask: () => new Promise((r) => { const t = setTimeout(() => r(''), 3000); waiting.push((l) => { clearTimeout(t); r(l); }); s.write('q\\n'); }) })); }); }
(async () => { const held = []; for (let n = 0; n < 3; n++) held.push(await open());
  const askAll = async () => { const a = []; for (const c of held) a.push(await c.ask()); console.log(JSON.stringify(a)); };
  await askAll();
  require('readline').createInterface({ input: process.stdin }).on('line', async (line) => {
    if (line === 'again') await askAll();
    if (line === 'new') { const a = []; for (let n = 0; n < 20; n++) { const c = await open(); a.push(await c.ask()); c.s.destroy(); } console.log(JSON.stringify(a)); }
  }); })();`;

/** Each line the child prints, one per call. */
function lineReader(child: ChildProcess): () => Promise<string> {
  const lines: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const waiter = waiting.shift();
      if (waiter) waiter(line);
      else lines.push(line);
    }
  });
  return () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve)));
}

/** A TCP listener that only accepts (the health port TCP_CHECK connects to). */
function healthPort(host: LabHost, port: number): ChildProcess {
  return host.spawn('node', ['-e', `require('net').createServer((c) => c.destroy()).listen(${port}, () => console.log('listening'));`]);
}

describe.skipIf(!isRoot())('UDP, fwmark, IPv6, group, ha_suspend and inhibit_on_failure services (needs root)', () => {
  let lab: NatLab;
  let d1: LabHost;
  let director: Director;
  const health: ChildProcess[] = [];

  beforeAll(async () => {
    lab = await createNatLab();
    d1 = lab.directors[0]!;
    // The real servers' gateway (both families) is d1's own address here: one director.
    await d1.ip('addr', 'add', `${GATEWAY_VIP}/24`, 'dev', 'eth1');
    await d1.exec('sysctl', ['-qw', 'net.ipv6.conf.all.forwarding=1']);
    await d1.ip('addr', 'add', '2001:db8:1::2/64', 'dev', 'eth0', 'nodad');
    await d1.ip('addr', 'add', `${VIP6}/64`, 'dev', 'eth0', 'nodad');
    await d1.ip('addr', 'add', '2001:db8:2::1/64', 'dev', 'eth1', 'nodad');
    await lab.clients[0]!.ip('addr', 'add', '2001:db8:1::10/64', 'dev', 'eth0', 'nodad');
    for (const [index, host] of lab.realServers.entries()) {
      await host.ip('addr', 'add', `${SERVERS6[index]}/64`, 'dev', 'eth1', 'nodad');
      await host.ip('-6', 'route', 'add', 'default', 'via', '2001:db8:2::1');
      const name = `rs${index + 1}`;
      await listening(httpServer(host, name, 80));
      await listening(lineServer(host, name, 8081));
      await listening(udpServer(host, name, 5353));
      const port = healthPort(host, 9001);
      health.push(port);
      await listening(port);
    }
    const rules = join(lab.scratch, 'operator.nft');
    writeFileSync(rules, MARKING);
    await d1.exec('nft', ['-f', rules]);
    const conf = join(lab.scratch, 'keepalived.conf');
    writeFileSync(conf, CONFIG);
    const controlSocket = join(lab.scratch, 'd1.sock');
    const child = d1.spawn('node', [join(root, 'bin', 'vrrpd'), 'run', '-f', conf, '--control-socket', controlSocket]);
    const lines: string[] = [];
    const take = (chunk: Buffer): void => void lines.push(...chunk.toString().split('\n').filter(Boolean));
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    director = { host: d1, process: child, lines, exited: new Promise((resolve) => child.once('exit', resolve)), controlSocket };
    await waitFor('d1 to hold the VIPs', async () => (await holds(d1, SERVICE_VIP)) && (await holds(d1, MARKED_VIP)), 30_000);
    const checked = async (): Promise<boolean> => (await virtualServers(director)).filter((vs) => !vs.key.includes(SUSPENDED_VIP)).every((vs) => vs.realServers.every((rs) => rs.checkers.every((c) => c.runs > 0)));
    await waitFor('the checkers to have run', () => checked().catch(() => false), 30_000).catch((error: unknown) => {
      console.log(lines.slice(-20).join('\n'));
      throw error;
    });
  }, 120_000);

  afterAll(async () => {
    director?.process.kill('SIGTERM');
    await Promise.race([director?.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    await lab?.destroy();
  });

  test('UDP: each new flow goes to the next server (rr), every datagram answered', async () => {
    // 30 datagrams, each from a new socket (a new conntrack flow), one at a time.
    const script = `const dgram = require('dgram'); (async () => { const counts = {}; let failed = 0;
      for (let n = 0; n < 30; n++) {
        const s = dgram.createSocket('udp4');
        const answer = await new Promise((resolve) => { const t = setTimeout(() => resolve(''), 2000); s.on('message', (m) => { clearTimeout(t); resolve(m.toString()); }); s.send('q', 53, ${JSON.stringify(SERVICE_VIP)}); });
        s.close();
        if (answer) counts[answer] = (counts[answer] || 0) + 1; else failed++;
      }
      console.log(JSON.stringify({ counts, failed })); })();`;
    const { stdout } = await lab.clients[0]!.exec('node', ['-e', script]);
    const result = JSON.parse(stdout) as { counts: Record<string, number>; failed: number };
    console.log(`UDP rr over 30 flows: ${stdout.trim()}`);
    expect(result).toEqual({ counts: { rs1: 10, rs2: 10, rs3: 10 }, failed: 0 });
  }, 60_000);

  test("fwmark: packets the operator's rule marks are balanced (rr), nothing else is", async () => {
    const marked = await requests(lab.clients[0]!, `http://${MARKED_VIP}:80/`, 30);
    console.log(`fwmark 5 over 30 requests: ${JSON.stringify(marked.counts)}, ${marked.failures} failed`);
    expect(marked).toMatchObject({ counts: { rs1: 10, rs2: 10, rs3: 10 }, failures: 0 });
    // The same VIP on another port is not marked: no virtual server takes it (d1 has no server there).
    const unmarked = await requests(lab.clients[0]!, `http://${MARKED_VIP}:8081/`, 1, 1);
    expect(unmarked.failures).toBe(1);
  }, 60_000);

  test('IPv6: requests to the IPv6 VIP are balanced over the IPv6 real servers (rr)', async () => {
    const answered = await requests(lab.clients[0]!, `http://[${VIP6}]:80/`, 30);
    console.log(`IPv6 rr over 30 requests: ${JSON.stringify(answered.counts)}, ${answered.failures} failed`);
    expect(answered).toMatchObject({ counts: { rs1: 10, rs2: 10, rs3: 10 }, failures: 0 });
  }, 60_000);

  test('virtual_server group: both VIPs of the group are one service, balanced together (rr)', async () => {
    const first = await requests(lab.clients[0]!, `http://${GROUP_VIPS[0]}:80/`, 15);
    const second = await requests(lab.clients[0]!, `http://${GROUP_VIPS[1]}:80/`, 15);
    console.log(`group: ${GROUP_VIPS[0]} ${JSON.stringify(first.counts)}, ${GROUP_VIPS[1]} ${JSON.stringify(second.counts)}`);
    expect([first.failures, second.failures]).toEqual([0, 0]);
    const total = (name: string): number => (first.counts[name] ?? 0) + (second.counts[name] ?? 0);
    expect([total('rs1'), total('rs2'), total('rs3')]).toEqual([10, 10, 10]);
  }, 60_000);

  test('ha_suspend: no check runs while the VIP is not on the director; they run once it is, and stop when it goes', async () => {
    const runs = async (): Promise<number> => (await virtualServers(director)).find((vs) => vs.key === `[${SUSPENDED_VIP}]:tcp:80`)!.realServers[0]!.checkers[0]!.runs;
    // Started seconds ago with delay_loop 1 (the port 81 service's checks have run since): unsuspended, it would have run.
    expect(await runs()).toBe(0);
    await d1.ip('addr', 'add', `${SUSPENDED_VIP}/32`, 'dev', 'eth0');
    await waitFor('the checks to run', async () => (await runs()) >= 2, 20_000);
    await d1.ip('addr', 'del', `${SUSPENDED_VIP}/32`, 'dev', 'eth0');
    await waitFor('the suspension to be logged', async () => director.lines.some((line) => line.includes('"event":"lb-checks-suspended"')), 10_000);
    const suspendedAt = await runs();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    // At most one run that was already under way when the address went.
    expect(await runs()).toBeLessThanOrEqual(suspendedAt + 1);
    expect(director.lines.filter((line) => /"event":"lb-checks-(suspended|resumed)"/.test(line)).map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(['lb-checks-resumed', 'lb-checks-suspended']);
  }, 60_000);

  test('inhibit_on_failure: a failed server keeps its established connection (weight 0) and takes no new one', async () => {
    // A client holding three connections (rr: one per server) asks on each before and after rs1's check fails.
    const client = lab.clients[1]!.spawn('node', ['-e', LINE_CLIENT]);
    const output = lineReader(client);
    const before = JSON.parse(await output()) as string[];
    expect(before.sort()).toEqual(['rs1', 'rs2', 'rs3']);
    health[0]!.kill('SIGKILL');
    const key = `[${REAL_SERVERS[0]}]:tcp:8081`;
    const rs1 = async () => (await virtualServers(director)).find((vs) => vs.key === `[${SERVICE_VIP}]:tcp:81`)!.realServers.find((rs) => rs.key === key)!;
    await waitFor('rs1 to fail its check', async () => !(await rs1()).inService, 20_000);
    expect(await rs1()).toMatchObject({ inService: false, weight: 0 });
    client.stdin!.write('again\n');
    const after = JSON.parse(await output()) as string[];
    console.log(`established connections, asked again after rs1 failed: ${JSON.stringify(after)} (before: ${JSON.stringify(before)})`);
    expect(after.sort()).toEqual(['rs1', 'rs2', 'rs3']);
    client.stdin!.write('new\n');
    const fresh = JSON.parse(await output()) as string[];
    console.log(`20 new connections after rs1 failed: ${JSON.stringify(fresh)}`);
    expect(fresh.filter((name) => name === '')).toEqual([]);
    expect(fresh).not.toContain('rs1');
    client.kill('SIGKILL');
  }, 90_000);
});
