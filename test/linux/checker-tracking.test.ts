// vrrp_scripts with built-in checkers moving VIPs between vrrpd and keepalived 2.2.7 in network
// namespaces, against real services: nginx over HTTPS and HTTP and its TCP port, dnsmasq, a host
// answering ICMP echo. A healthy check keeps the VIP, stopping the service moves it, starting it
// brings it back after `rise`. Hostile servers (hostile-server.mjs) behind vrrp_scripts: each
// failure's reason in `vrrpd status`, the log and the metrics. A checker carried over a SIGHUP
// with its state and streak, a changed one started anew. UDP_CHECK against a small responder,
// with require_reply. And the seed setups written with curl, then with the checker that does the
// same, give the same hand-overs: the Kubernetes API HA check_apiserver (weight -2 over
// priorities 101/100) and the controllers' kubelet healthz.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { holds, instanceConfig, startKeepalived, startVrrpd, vrrpdStatus, waitFor, type RunningDaemon } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { haveServers, makeCertificates, nginxConfig, serverDir, startDnsmasq, startNginx, type Running } from '../helpers/servers.js';

const hostileServer = join(import.meta.dirname, '..', 'checkers', 'hostile-server.mjs');
const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;
const haveCurl = spawnSync('curl', ['--version'], { stdio: 'ignore' }).status === 0;
const VIP = '192.0.2.100';
const SRV = '192.0.2.20';
const SRV6 = '2001:db8::20';

let lab: NamespaceLab | undefined;
let dir: string | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** vrrpd's instances as `vrrpd status --json` gives them, with their trackers. */
const statusOf = async (daemon: RunningDaemon) => (await vrrpdStatus(daemon)) as unknown as Array<{ state: string; effectivePriority: number; trackers: Array<Record<string, unknown>> }>;

/** The tracker-changed lines vrrpd logged, as their messages. */
const changes = (daemon: RunningDaemon): string[] =>
  daemon.lines.filter((line) => line.includes('"event":"tracker-changed"')).map((line) => (JSON.parse(line) as { msg: string }).msg);

/** vrrpd's log lines of one event, parsed. */
const events = (daemon: RunningDaemon, event: string): Array<Record<string, unknown>> =>
  daemon.lines.filter((line) => line.includes(`"event":"${event}"`)).map((line) => JSON.parse(line) as Record<string, unknown>);

/** Rewrites vrrpd's configuration, sends SIGHUP and waits for the reload to be applied. */
async function reload(daemon: RunningDaemon, config: string): Promise<void> {
  const before = events(daemon, 'reloaded').length;
  writeFileSync(daemon.configFile, config);
  daemon.process.kill('SIGHUP');
  await waitFor('the reload to be applied', async () => events(daemon, 'reloaded').length > before, 15_000);
}

async function vipMoves(from: LabHost, to: LabHost, what: string): Promise<void> {
  await waitFor(`${what}: the VIP to reach ${to.name}`, () => holds(to, VIP), 20_000);
  await waitFor(`${what}: ${from.name} to let the VIP go`, async () => !(await holds(from, VIP)), 5000);
}

describe.skipIf(!isRoot() || !haveKeepalived || !haveServers)('vrrp_script checkers moving VIPs (needs root, keepalived, nginx, dnsmasq)', () => {
  test('HTTPS, HTTP and TCP checks of nginx (weight -20 each): healthy keeps the VIP, nginx stopped hands it to keepalived, nginx back takes it back after rise', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    dir = serverDir('checktrack');
    makeCertificates(dir, ['api.example.test', SRV]);
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24', '2001:db8::1/64']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const s = await lab.addHost('s', [`${SRV}/24`, `${SRV6}/64`]);
    const config = nginxConfig(dir, 'nginx', { http: [`${SRV}:80`, `[${SRV6}]:80`], https: [`${SRV}:443`] });
    let nginx: Running = await startNginx(s, config, `${SRV}:443`);
    const checks = [
      `vrrp_script chk_https {\n  SSL_GET {\n    url {\n      path /readyz\n      status_code 200\n    }\n    connect_ip ${SRV}\n    connect_port 443\n    connect_timeout 1\n  }\n  interval 0.5\n  fall 2\n  rise 2\n  weight -20\n}\n`,
      `vrrp_script chk_http6 {\n  HTTP_GET {\n    url {\n      path /healthz\n      digest ${'444bcb3a3fcf8389296c49467f27e1d6'}\n    }\n    connect_ip ${SRV6}\n  }\n  interval 0.5\n  fall 2\n  rise 2\n  weight -20\n}\n`,
      `vrrp_script chk_tcp {\n  TCP_CHECK {\n    connect_ip ${SRV}\n    connect_port 443\n  }\n  interval 0.5\n  fall 2\n  rise 2\n  weight -20\n}\n`,
    ].join('');
    const vrrpd = startVrrpd(
      a,
      checks + instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: '  track_script {\n    chk_https\n    chk_http6\n    chk_tcp\n  }' }),
    );
    startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 10_000);
    const [healthy] = await statusOf(vrrpd);
    expect(healthy?.effectivePriority).toBe(150);
    expect(healthy?.trackers.map((t) => [t.name, t.state, t.detail])).toEqual([
      ['chk_https', 'ok', 'SSL_GET: HTTP status 200'],
      ['chk_http6', 'ok', 'HTTP_GET: HTTP status 200, digest matches'],
      ['chk_tcp', 'ok', 'TCP_CHECK: connected'],
    ]);

    await nginx.stop();
    await vipMoves(a, b, 'nginx stopped');
    const [down] = await statusOf(vrrpd);
    expect(down).toMatchObject({ state: 'Backup', effectivePriority: 90 });
    expect(down?.trackers.map((t) => [t.name, t.state, t.reason, t.detail])).toEqual([
      ['chk_https', 'failed', 'refused', 'SSL_GET: connection refused'],
      ['chk_http6', 'failed', 'refused', 'HTTP_GET: connection refused'],
      ['chk_tcp', 'failed', 'refused', 'TCP_CHECK: connection refused'],
    ]);

    nginx = await startNginx(s, config, `${SRV}:443`);
    await vipMoves(b, a, 'nginx back');
    expect(changes(vrrpd).filter((line) => line.startsWith('vrrp_script chk_https'))).toEqual([
      'vrrp_script chk_https: OK (SSL_GET: HTTP status 200)',
      'vrrp_script chk_https: failed (SSL_GET: connection refused)',
      'vrrp_script chk_https: OK (SSL_GET: HTTP status 200)',
    ]);
    await nginx.stop();
  });

  test('DNS_CHECK of dnsmasq and PING_CHECK of a host: a weight-0 checker failing puts vrrpd in Fault; recovery returns it', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    dir = serverDir('checktrack');
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24', '2001:db8::1/64']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const s = await lab.addHost('s', [`${SRV}/24`, `${SRV6}/64`]);
    let dnsmasq = await startDnsmasq(s, [SRV]);
    const vrrpd = startVrrpd(
      a,
      `vrrp_script chk_dns {\n  DNS_CHECK {\n    connect_ip ${SRV}\n    type A\n    name svc.example.test\n    connect_timeout 1\n  }\n  interval 0.5\n}\n` +
        `vrrp_script chk_ping {\n  PING_CHECK {\n    connect_ip ${SRV6}\n    connect_timeout 1\n  }\n  interval 0.5\n  fall 2\n}\n` +
        instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: '  track_script {\n    chk_dns\n    chk_ping\n  }' }),
    );
    startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 10_000);

    await dnsmasq.stop();
    await vipMoves(a, b, 'dnsmasq stopped');
    const [dnsDown] = await statusOf(vrrpd);
    expect(dnsDown).toMatchObject({ state: 'Fault' });
    expect(dnsDown?.trackers[0]).toMatchObject({ name: 'chk_dns', state: 'failed', fault: true, reason: 'refused', detail: 'DNS_CHECK: connection refused' });
    dnsmasq = await startDnsmasq(s, [SRV]);
    await vipMoves(b, a, 'dnsmasq back');

    // The pinged host drops echo requests: no reply within connect_timeout.
    await s.exec('nft', ['add table inet ping']);
    await s.exec('nft', ['add chain inet ping in { type filter hook input priority 0 ; }']);
    await s.exec('nft', ['add rule inet ping in icmpv6 type echo-request drop']);
    await vipMoves(a, b, 'echo requests dropped');
    const [pingDown] = await statusOf(vrrpd);
    expect(pingDown?.trackers[1]).toMatchObject({ name: 'chk_ping', state: 'failed', fault: true, reason: 'timeout', detail: 'PING_CHECK: timed out after 1000 ms during the reply' });
    await s.exec('nft', ['delete table inet ping']);
    await vipMoves(b, a, 'echo answered again');
    await dnsmasq.stop();
  });
});

describe.skipIf(!isRoot() || !haveServers)('a checker across reloads (needs root, nginx)', () => {
  // keepalived keeps a vrrp_script's state over a reload when it is unchanged; a checker's state
  // is its last verdict and the streak towards the next one. log_all_failures logs every failed
  // run while the tracker is still OK: the runs of one streak can be counted across the SIGHUP.
  test('SIGHUP with the checker unchanged keeps its state and streak (no transition; fall counts runs on both sides); a changed checker starts anew', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    dir = serverDir('checkreload');
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const s = await lab.addHost('s', [`${SRV}/24`]);
    const nginxFile = nginxConfig(dir, 'nginx', { http: [`${SRV}:80`] });
    const nginx = await startNginx(s, nginxFile, `${SRV}:80`);
    const FALL = 6;
    const config = (connectTimeout: number, priority: number) =>
      `vrrp_script chk {\n  HTTP_GET {\n    url {\n      path /healthz\n    }\n    connect_ip ${SRV}\n    connect_timeout ${connectTimeout}\n    log_all_failures\n  }\n  interval 0.5\n  fall ${FALL}\n  rise 2\n  weight -20\n}\n` +
      instanceConfig({ priority, version: 3, vip: `${VIP}/24`, extra: '  track_script {\n    chk\n  }' });
    const vrrpd = startVrrpd(a, config(1, 150));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 15_000);
    await waitFor('the checker to be OK', async () => (await statusOf(vrrpd))[0]?.trackers[0]?.state === 'ok', 10_000);
    const transitions = () => events(vrrpd, 'tracker-changed').map((line) => `${String(line['from'])} -> ${String(line['state'])}`);
    expect(transitions()).toEqual(['init -> ok']);

    // Healthy, the instance's priority changed, the checker not: the tracker carries on, no transition.
    await reload(vrrpd, config(1, 140));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // three more runs
    expect(transitions()).toEqual(['init -> ok']);
    expect((await statusOf(vrrpd))[0]).toMatchObject({ effectivePriority: 140, trackers: [{ name: 'chk', state: 'ok' }] });

    // nginx stopped: two failed runs, then a reload with the same checker. The streak goes on:
    // the tracker fails at the FALL-th failed run counted from before the reload, coming from OK.
    await nginx.stop();
    const failedRuns = () => events(vrrpd, 'check-failed').length;
    await waitFor('two failed runs', async () => failedRuns() >= 2, 10_000);
    await reload(vrrpd, config(1, 150));
    const atReload = failedRuns();
    expect(atReload, 'the reload came too late to tell a carried-over streak from a new one').toBeLessThan(FALL);
    await waitFor('the checker to fail', async () => transitions().length > 1, 15_000);
    expect(transitions()).toEqual(['init -> ok', 'ok -> failed']);
    expect(failedRuns()).toBe(FALL);
    expect((await statusOf(vrrpd))[0]).toMatchObject({ effectivePriority: 130, trackers: [{ name: 'chk', state: 'failed', reason: 'refused' }] });

    // connect_timeout changed: a new checker, whose first run decides from init.
    await reload(vrrpd, config(2, 150));
    await waitFor('the new checker to decide', async () => transitions().length > 2, 10_000);
    expect(transitions()).toEqual(['init -> ok', 'ok -> failed', 'init -> failed']);
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('UDP_CHECK moving a VIP (needs root, keepalived)', () => {
  test('a UDP responder: the right reply keeps the VIP, a reply unlike require_reply hands it to keepalived, the right one takes it back, no responder (ICMP port unreachable) hands it over again', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    dir = serverDir('checkudp');
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const s = await lab.addHost('s', [`${SRV}/24`]);
    // Answers each "PING" with what the reply file holds at the time.
    const replyFile = join(dir, 'reply');
    writeFileSync(replyFile, 'PONG');
    const responderFile = join(dir, 'udp-responder.cjs');
    writeFileSync(
      responderFile,
      `const dgram = require('node:dgram'), fs = require('node:fs');\n` +
        `const socket = dgram.createSocket('udp4');\n` +
        `socket.on('message', (m, from) => { if (m.toString() === 'PING') socket.send(fs.readFileSync(${JSON.stringify(replyFile)}), from.port, from.address); });\n` +
        `socket.bind(7070, ${JSON.stringify(SRV)}, () => console.log('ready'));\n`,
    );
    const responder = s.spawn('node', [responderFile]);
    const responderLines: string[] = [];
    responder.stdout?.on('data', (chunk: Buffer) => void responderLines.push(chunk.toString()));
    await waitFor('the UDP responder', async () => responderLines.some((line) => line.includes('ready')), 15_000);
    const vrrpd = startVrrpd(
      a,
      `vrrp_script chk_udp {\n  UDP_CHECK {\n    connect_ip ${SRV}\n    connect_port 7070\n    payload 50494e47\n    require_reply 504f4e47\n    connect_timeout 1\n  }\n  interval 0.5\n  fall 2\n  rise 2\n  weight -60\n}\n` +
        instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: '  track_script {\n    chk_udp\n  }' }),
    );
    startKeepalived(b, instanceConfig({ priority: 100, version: 3, vip: `${VIP}/24` }));
    await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 15_000);
    expect((await statusOf(vrrpd))[0]?.trackers[0]).toMatchObject({ name: 'chk_udp', state: 'ok', detail: 'UDP_CHECK: UDP reply of 4 bytes' });

    writeFileSync(replyFile, 'NOPE');
    await vipMoves(a, b, 'a wrong reply');
    expect((await statusOf(vrrpd))[0]).toMatchObject({
      state: 'Backup',
      effectivePriority: 90,
      trackers: [{ name: 'chk_udp', state: 'failed', reason: 'udp-reply', detail: 'UDP_CHECK: UDP reply differs from require_reply at byte 0' }],
    });

    writeFileSync(replyFile, 'PONG');
    await vipMoves(b, a, 'the right reply again');

    responder.kill('SIGTERM');
    await vipMoves(a, b, 'no responder');
    expect((await statusOf(vrrpd))[0]?.trackers[0]).toMatchObject({ name: 'chk_udp', state: 'failed', reason: 'refused', detail: 'UDP_CHECK: connection refused' });
    expect(changes(vrrpd)).toEqual([
      'vrrp_script chk_udp: OK (UDP_CHECK: UDP reply of 4 bytes)',
      'vrrp_script chk_udp: failed (UDP_CHECK: UDP reply differs from require_reply at byte 0)',
      'vrrp_script chk_udp: OK (UDP_CHECK: UDP reply of 4 bytes)',
      'vrrp_script chk_udp: failed (UDP_CHECK: connection refused)',
    ]);
  });
});

describe.skipIf(!isRoot() || !haveServers)('hostile servers behind vrrp_scripts (needs root, nginx, openssl)', () => {
  test('each failure is in vrrpd status, its log and its metrics with its reason, over IPv4 and IPv6; the instance goes to Fault', { timeout: 90_000 }, async () => {
    await sweepStaleLabs();
    dir = serverDir('checkhostile');
    makeCertificates(dir, ['api.example.test', SRV]);
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24', '2001:db8::1/64']);
    const s = await lab.addHost('s', [`${SRV}/24`, `${SRV6}/64`]);
    const hostile = s.spawn('node', [hostileServer, `${SRV},${SRV6}`, dir]);
    const hostileLines: string[] = [];
    hostile.stdout?.on('data', (chunk: Buffer) => void hostileLines.push(chunk.toString()));
    await waitFor('the hostile servers', async () => hostileLines.some((line) => line.includes('"ready"')), 15_000);
    const check = (name: string, type: string, address: string, port: number, extra = '') =>
      `vrrp_script ${name} {\n  ${type} {\n    url {\n      path /\n    }\n    connect_ip ${address}\n    connect_port ${port}\n    connect_timeout 1\n${extra}  }\n  interval 0.5\n}\n`;
    const scripts: Array<[string, string]> = [
      ['chk_silent', check('chk_silent', 'HTTP_GET', SRV, 8001)],
      ['chk_trickle6', check('chk_trickle6', 'HTTP_GET', SRV6, 8002)],
      ['chk_flood', check('chk_flood', 'HTTP_GET', SRV, 8004)],
      ['chk_reset6', check('chk_reset6', 'SSL_GET', SRV6, 8105)],
      ['chk_status', check('chk_status', 'HTTP_GET', SRV, 8008)],
      ['chk_cert', check('chk_cert', 'SSL_GET', SRV, 8130, `    verify_certificate ${dir}/ca.pem\n`)],
      ['chk_handshake', check('chk_handshake', 'SSL_GET', SRV, 8122)],
    ];
    const track = `  track_script {\n${scripts.map(([name]) => `    ${name}`).join('\n')}\n  }`;
    const vrrpd = startVrrpd(a, scripts.map(([, text]) => text).join('') + instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24`, extra: track }), ['--metrics', '127.0.0.1:9650']);
    const expected = [
      ['chk_silent', 'timeout', 'HTTP_GET: timed out after 1000 ms during the response header (0 bytes received)'],
      ['chk_trickle6', 'timeout', /^HTTP_GET: timed out after 1000 ms during the response header \(\d+ bytes? received\)$/],
      ['chk_flood', 'http-header-too-large', 'HTTP_GET: no end of the HTTP response header in its first 16384 bytes'],
      ['chk_reset6', 'reset', 'SSL_GET: connection reset during the response header (0 bytes received)'],
      ['chk_status', 'http-status', 'HTTP_GET: HTTP status 500 (expected 200-299)'],
      ['chk_cert', 'tls', 'SSL_GET: TLS handshake failed: self-signed certificate'],
      ['chk_handshake', 'timeout', 'SSL_GET: timed out after 1000 ms during the TLS handshake'],
    ] as const;
    const allFailed = async (): Promise<boolean> => ((await statusOf(vrrpd).catch(() => []))[0]?.trackers ?? []).filter((t) => t.state === 'failed').length === scripts.length;
    await waitFor('every tracker to fail', allFailed, 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${vrrpd.lines.join('\n')}`);
    });
    const [instance] = await statusOf(vrrpd);
    expect(instance?.state).toBe('Fault');
    expect(await holds(a, VIP)).toBe(false);
    const trackers = instance?.trackers ?? [];
    for (const [name, reason, detail] of expected) {
      const tracker = trackers.find((t) => t.name === name);
      expect(tracker, name).toMatchObject({ state: 'failed', fault: true, reason });
      if (typeof detail === 'string') expect(tracker?.detail, name).toBe(detail);
      else expect(tracker?.detail, name).toMatch(detail);
    }
    // The log: one tracker-changed line each, with the reason word.
    const failed = vrrpd.lines.filter((line) => line.includes('"event":"tracker-changed"') && line.includes('"state":"failed"')).map((line) => JSON.parse(line) as { tracker: string; reason?: string });
    expect(Object.fromEntries(failed.map((line) => [line.tracker, line.reason]))).toEqual(Object.fromEntries(expected.map(([name, reason]) => [name, reason])));
    // The metrics: keepalived_script_status 0 and vrrpd's reason gauge for each.
    const metrics = (await a.exec('python3', ['-c', 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())', 'http://127.0.0.1:9650/metrics'])).stdout;
    for (const [name, reason] of expected) {
      expect(metrics, name).toContain(`keepalived_script_status{name="${name}"} 0\n`);
      expect(metrics, name).toMatch(new RegExp(`vrrpd_tracker_failure_reason\\{[^}]*tracker="${name}",kind="script",reason="${reason}"\\} 1\n`));
    }
    hostile.kill('SIGTERM');
  });
});

/**
 * A seed setup run twice: with its curl script, then with the checker that does the same. `a` is
 * vrrpd with the check of its own local service (nginx on 127.0.0.1), `b` keepalived without
 * checks. Returns what happened: who held the VIP after each step, and vrrpd's tracker lines.
 */
async function seedSetup(options: { check: string; priority: number; weight: number; service: (dir: string) => string; listening: string }): Promise<{ holders: string[]; changes: string[] }> {
  await sweepStaleLabs();
  dir = serverDir('seed');
  makeCertificates(dir, ['localhost', '127.0.0.1']);
  lab = await NamespaceLab.create();
  const a = await lab.addHost('a', ['192.0.2.1/24']);
  const b = await lab.addHost('b', ['192.0.2.2/24']);
  const config = options.service(dir);
  let service = await startNginx(a, config, options.listening);
  const vrrpd = startVrrpd(a, `${options.check}\n${instanceConfig({ priority: options.priority, version: 2, vip: `${VIP}/24`, extra: '  track_script {\n    chk\n  }' })}`);
  startKeepalived(b, instanceConfig({ priority: 100, version: 2, vip: `${VIP}/24` }));
  const holders: string[] = [];
  const holder = async (): Promise<string> => ((await holds(a, VIP)) ? 'a' : (await holds(b, VIP)) ? 'b' : 'none');
  await waitFor('vrrpd to hold the VIP', () => holds(a, VIP), 15_000);
  holders.push(await holder());
  await service.stop();
  await vipMoves(a, b, 'service stopped');
  holders.push(await holder());
  service = await startNginx(a, config, options.listening);
  await vipMoves(b, a, 'service back');
  holders.push(await holder());
  await service.stop();
  const seen = changes(vrrpd).map((line) => line.replace(/ \(.*\)$/, ''));
  await lab.destroy();
  lab = undefined;
  rmSync(dir, { recursive: true, force: true });
  dir = undefined;
  return { holders, changes: seen };
}

describe.skipIf(!isRoot() || !haveKeepalived || !haveServers || !haveCurl)('the seed setups, with curl and with the built-in checker (needs root, keepalived, nginx, curl)', () => {
  // kubeadm's HA guide: check_apiserver.sh curls https://localhost:6443/ (interval 3, weight -2,
  // fall 10, rise 2) on MASTER 101 / BACKUP 100. The interval is 0.3 s here so the test takes
  // seconds, not a minute; the arithmetic (101 - 2 < 100) is the guide's.
  test('Kubernetes API HA: weight -2 hands the VIP over when the API server stops and takes it back after rise 2, the same with SSL_GET as with curl', { timeout: 180_000 }, async () => {
    const apiserver = (scratch: string) => nginxConfig(scratch, 'apiserver', { https: ['127.0.0.1:6443'] });
    const common = '  interval 0.3\n  weight -2\n  fall 10\n  rise 2\n';
    const curl = await seedSetup({
      check: `vrrp_script chk {\n  script "curl --silent --max-time 2 --insecure https://localhost:6443/readyz -o /dev/null"\n${common}}\n`,
      priority: 101,
      weight: -2,
      service: apiserver,
      listening: '127.0.0.1:6443',
    });
    const builtIn = await seedSetup({
      check: `vrrp_script chk {\n  SSL_GET {\n    url {\n      path /readyz\n      status_code 100-599\n    }\n    connect_ip 127.0.0.1\n    connect_port 6443\n    connect_timeout 2\n  }\n${common}}\n`,
      priority: 101,
      weight: -2,
      service: apiserver,
      listening: '127.0.0.1:6443',
    });
    expect(curl.holders).toEqual(['a', 'b', 'a']);
    expect(builtIn).toEqual(curl);
    expect(builtIn.changes).toEqual(['vrrp_script chk: OK', 'vrrp_script chk: failed', 'vrrp_script chk: OK']);
  });

  test("the controllers' kubelet healthz check moves the VIP, the same with HTTP_GET as with curl -sf", { timeout: 180_000 }, async () => {
    const kubelet = (scratch: string) => nginxConfig(scratch, 'kubelet', { http: ['127.0.0.1:10248'] });
    const common = '  interval 0.3\n  weight -60\n  fall 2\n  rise 2\n';
    const curl = await seedSetup({ check: `vrrp_script chk {\n  script "curl -sf http://127.0.0.1:10248/healthz -o /dev/null"\n${common}}\n`, priority: 150, weight: -60, service: kubelet, listening: '127.0.0.1:10248' });
    const builtIn = await seedSetup({
      check: `vrrp_script chk {\n  HTTP_GET {\n    url {\n      path /healthz\n      status_code 100-399\n    }\n    connect_ip 127.0.0.1\n    connect_port 10248\n  }\n${common}}\n`,
      priority: 150,
      weight: -60,
      service: kubelet,
      listening: '127.0.0.1:10248',
    });
    expect(curl.holders).toEqual(['a', 'b', 'a']);
    expect(builtIn).toEqual(curl);
  });
});
