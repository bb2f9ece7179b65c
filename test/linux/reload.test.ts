// Operating vrrpd in namespace labs: a reload of an unchanged configuration leaves the Master's
// advertisement rhythm and state alone; one that lowers the Master's priority moves mastership; a
// broken one changes nothing and `vrrpd reload` exits 1 with file:line; metrics and status say what
// the network shows; SIGTERM (systemd's stop) hands over within Skew_Time; an instance removed by a
// reload hands over with priority 0 while its neighbour on the same socket runs on.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { skewTime } from '../../src/vrrp/protocol/timers.js';
import { captureFields, startCapture } from '../helpers/capture.js';
import { holds, instanceConfig, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const VIP = '192.0.2.100';
/** Scheduling and polling slack on a loaded 2-core machine; the protocol bound is the main term. */
const MARGIN_MS = 600;

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

interface Vrrpd {
  readonly dir: string;
  readonly pid: number;
  readonly config: string;
  readonly socket: string;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  kill(signal: NodeJS.Signals | number): void;
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  metrics(): Promise<string>;
}

function startVrrpd(host: LabHost, priority: number, text = instanceConfig({ priority, version: 3, vip: `${VIP}/24` })): Vrrpd {
  const dir = scratchDir(`reload-${host.name}`);
  const config = join(dir, 'keepalived.conf');
  const socket = join(dir, 'vrrpd.sock');
  writeFileSync(config, text);
  const dumps = ['data', 'stats', 'json'].flatMap((format) => [`--${format}-file`, join(dir, `keepalived.${format}`)]);
  const child = host.spawn('node', [vrrpd, 'run', '-f', config, '--control-socket', socket, '--metrics', '127.0.0.1:9650', '--pid-file', join(dir, 'keepalived.pid'), ...dumps]);
  const lines: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  child.stderr?.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    dir,
    pid: child.pid!,
    config,
    socket,
    lines,
    exited,
    // process.kill: ChildProcess.kill refuses realtime signal numbers.
    kill: (signal) => process.kill(child.pid!, signal),
    cli: (...args) =>
      promisify(execFile)(vrrpd, [...args, '--control-socket', socket]).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      ),
    // The listener is inside the host's namespace: fetch from there.
    metrics: async () =>
      (await host.exec('python3', ['-c', 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())', 'http://127.0.0.1:9650/metrics'])).stdout,
  };
}

const events = (daemon: Vrrpd, event: string) =>
  daemon.lines.flatMap((line) => {
    try {
      const record = JSON.parse(line) as Record<string, unknown>;
      return record['event'] === event ? [record] : [];
    } catch {
      return [];
    }
  });

async function twoRouters() {
  await sweepStaleLabs();
  lab = await NamespaceLab.create();
  const a = await lab.addHost('a', ['192.0.2.1/24']);
  const b = await lab.addHost('b', ['192.0.2.2/24']);
  const master = startVrrpd(a, 150);
  const backup = startVrrpd(b, 100);
  await waitFor('a to hold the VIP', () => holds(a, VIP), 8000);
  await waitFor('b to be Backup', async () => events(backup, 'transition').some((t) => t['to'] === 'Backup'), 3000);
  return { a, b, master, backup };
}

describe.skipIf(!isRoot())('reload, metrics and stop in a namespace lab (needs root)', () => {
  test('unchanged reload: no transition, no advertisement gap; metrics say MASTER and BACKUP; SIGTERM hands over', { timeout: 60_000 }, async () => {
    const { a, b, master, backup } = await twoRouters();

    // Metrics and status agree with the network: a holds the VIP, b does not.
    const [ma, mb] = [await master.metrics(), await backup.metrics()];
    expect(ma).toContain(`keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="${VIP}/24"} 2\n`);
    expect(mb).toContain(`keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="${VIP}/24"} 1\n`);
    expect(ma).toMatch(/^keepalived_advertisements_sent_total\{iname="VI_1",intf="eth0",vrid="51",state="MASTER"\} [1-9]\d*$/m);
    expect(mb).toMatch(/^keepalived_advertisements_received_total\{iname="VI_1",intf="eth0",vrid="51",state="BACKUP"\} [1-9]\d*$/m);
    expect(mb).toContain('vrrpd_master_priority{iname="VI_1",intf="eth0",vrid="51"} 150\n');
    expect(JSON.parse((await master.cli('status', '--json')).stdout)).toMatchObject({ instances: [{ state: 'Master' }] });
    expect(JSON.parse((await backup.cli('status', '--json')).stdout)).toMatchObject({ instances: [{ state: 'Backup', master: { address: '192.0.2.1' } }] });
    expect(await holds(b, VIP)).toBe(false);

    // Capture the Master's advertisements across a SIGHUP and a `vrrpd reload`. (Transitions from
    // before it do not count: on a loaded machine both may briefly be Master at startup.)
    const transitionsBefore = [events(master, 'transition').length, events(backup, 'transition').length];
    const capture = await startCapture(b, 'ip proto 112 and src host 192.0.2.1');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    master.kill('SIGHUP');
    await waitFor('the SIGHUP reload', async () => events(master, 'reloaded').length === 1, 3000);
    expect(await master.cli('reload')).toEqual({ code: 0, stdout: 'reloaded: unchanged VI_1\n', stderr: '' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await capture.stop();
    const times = captureFields(capture.file, ['frame.time_epoch', 'vrrp.prio']).map(([time, priority]) => ({ time: Number(time) * 1000, priority: Number(priority) }));
    expect(times.length).toBeGreaterThanOrEqual(4);
    expect(times.every((t) => t.priority === 150)).toBe(true);
    const gaps = times.slice(1).map((t, i) => t.time - times[i]!.time);
    // advert_int 1 s; a restarted instance would show a gap of Master_Down_Interval or a priority 0.
    expect(Math.max(...gaps)).toBeLessThan(1000 + 300);
    expect(events(master, 'transition').slice(transitionsBefore[0])).toEqual([]);
    expect(events(backup, 'transition').slice(transitionsBefore[1])).toEqual([]);
    expect(events(master, 'transition').at(-1)).toMatchObject({ to: 'Master' });
    expect(await holds(a, VIP)).toBe(true);

    // The PID file keepalived's tools read.
    expect(readFileSync(join(master.dir, 'keepalived.pid'), 'utf8')).toBe(`${master.pid}\n`);
    // keepalived's dump signals: USR1 data, USR2 stats, RTMIN+2 JSON; the daemon keeps running.
    master.kill('SIGUSR1');
    master.kill('SIGUSR2');
    master.kill(36);
    await waitFor('three dumps', async () => events(master, 'dump-written').length === 3, 3000);
    expect(readFileSync(join(master.dir, 'keepalived.data'), 'utf8')).toContain(' VRRP Instance = VI_1\n   VRRP Version = 3\n   State = MASTER\n');
    expect(readFileSync(join(master.dir, 'keepalived.stats'), 'utf8')).toMatch(/^VRRP Instance: VI_1\n {2}Advertisements:\n {4}Received: \d+\n {4}Sent: [1-9]\d*\n {2}Became master: 1\n/);
    expect(JSON.parse(readFileSync(join(master.dir, 'keepalived.json'), 'utf8'))).toMatchObject([{ data: { iname: 'VI_1', state: 2, vrid: 51 }, stats: { become_master: 1 } }]);
    expect((await master.cli('dump', '--json')).stdout).toMatch(/^\[\{"data":\{"iname":"VI_1"/);

    // systemd's stop is SIGTERM: the Master sends priority 0 and b takes over after Skew_Time.
    master.kill('SIGTERM');
    const took = await waitFor('b to take over', () => holds(b, VIP), 5000);
    expect(took).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    expect(await master.exited).toBe(0);
    expect(await holds(a, VIP)).toBe(false);
    expect(existsSync(join(master.dir, 'keepalived.pid'))).toBe(false);
    await waitFor('b metrics to say MASTER', async () => (await backup.metrics()).includes(`ip_address="${VIP}/24"} 2\n`), 2000);
  });

  test('a reload that lowers the priority moves mastership; a broken one keeps the running configuration', { timeout: 60_000 }, async () => {
    const { a, b, master } = await twoRouters();

    const broken = readFileSync(master.config, 'utf8').replace('priority 150', 'priority 150\n  advert_int fast');
    writeFileSync(master.config, broken);
    const rejected = await master.cli('reload');
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toMatch(new RegExp(`^vrrpd: reload rejected: ${master.config} has errors; the running configuration stays\\n${master.config}:\\d+:\\d+: error: .*advert_int`, 'm'));
    expect(events(master, 'reload-rejected')).toHaveLength(1);
    expect(JSON.parse((await master.cli('status', '--json')).stdout)).toMatchObject({ instances: [{ state: 'Master', basePriority: 150, advertIntervalMs: 1000 }] });
    expect(await holds(a, VIP)).toBe(true);

    const before = events(master, 'transition').length;
    writeFileSync(master.config, instanceConfig({ priority: 50, version: 3, vip: `${VIP}/24` }));
    expect(await master.cli('reload')).toMatchObject({ code: 0, stdout: 'reloaded: updated VI_1 (priority)\n' });
    await waitFor('b to take the VIP', () => holds(b, VIP), 5000);
    await waitFor('a to let go', async () => !(await holds(a, VIP)), 2000);
    expect(JSON.parse((await master.cli('status', '--json')).stdout)).toMatchObject({ instances: [{ state: 'Backup', basePriority: 50, master: { address: '192.0.2.2', priority: 100 } }] });
    // Updated in place: Master went straight to Backup, never through Initialize.
    expect(events(master, 'transition').slice(before).map((t) => `${t['from']}>${t['to']}`)).toEqual(['Master>Backup']);
  });

  test('an instance removed by reload hands over with priority 0 while its neighbour on the same socket runs on; added back, it preempts', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const b = await lab.addHost('b', ['192.0.2.2/24']);
    const VIP2 = '192.0.2.101';
    const VIP3 = '192.0.2.102';
    const two = (priority: number, withFirst = true, thirdVip = false) =>
      (withFirst ? instanceConfig({ priority, version: 3, vip: `${VIP}/24` }) : '') +
      instanceConfig({ priority, version: 3, vrid: 52, vip: `${VIP2}/24${thirdVip ? `\n    ${VIP3}/24` : ''}` }).replace('VI_1', 'VI_2');
    const master = startVrrpd(a, 150, two(150));
    startVrrpd(b, 100, two(100));
    await waitFor('a to hold both VIPs', async () => (await holds(a, VIP)) && (await holds(a, VIP2)), 12_000);
    const vi2Before = events(master, 'transition').filter((t) => t['instance'] === 'VI_2').length;

    writeFileSync(master.config, two(150, false));
    expect(await master.cli('reload')).toMatchObject({ code: 0, stdout: 'reloaded: unchanged VI_2; removed VI_1\n' });
    // Priority 0 from the removed VI_1: b takes over after Skew_Time, not Master_Down_Interval.
    const took = await waitFor('b to take VI_1', () => holds(b, VIP), 5000);
    expect(took).toBeLessThan(skewTime(3, 100, 1000) + MARGIN_MS);
    expect(await holds(a, VIP)).toBe(false);
    // VI_2 shares VI_1's socket: still Master, still advertising (b does not take it).
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(await holds(a, VIP2)).toBe(true);
    expect(await holds(b, VIP2)).toBe(false);

    // VI_1 back, and a VIP more on VI_2 while it is Master: installed and announced in place.
    const arp = await startCapture(b, `arp and host ${VIP3}`);
    writeFileSync(master.config, two(150, true, true));
    expect(await master.cli('reload')).toEqual({ code: 0, stdout: 'reloaded: updated VI_2 (virtual_ipaddress); added VI_1\n', stderr: '' });
    await waitFor('a to hold the added VIP', () => holds(a, VIP3), 3000);
    await waitFor('its gratuitous ARPs', async () => captureFields(arp.file, ['arp.src.proto_ipv4', 'arp.dst.proto_ipv4']).length >= 5, 5000);
    await arp.stop();
    expect(captureFields(arp.file, ['arp.src.proto_ipv4', 'arp.dst.proto_ipv4'])).toContainEqual([VIP3, VIP3]);
    await waitFor('a to preempt VI_1 again', () => holds(a, VIP), 6000);
    await waitFor('b to let go of VI_1', async () => !(await holds(b, VIP)), 3000);
    // VI_2 went through both reloads without a transition.
    expect(events(master, 'transition').filter((t) => t['instance'] === 'VI_2').slice(vi2Before)).toEqual([]);
  });
});
