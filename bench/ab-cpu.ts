// A/B of two vrrpd builds at 1000 instances (the scale bench's layout: 5 links, VRIDs 1-200 on
// each), at the same time: two labs, each a Master (lab 1 build A, lab 2 build B) and two Backups
// (one of each build) hearing it, so both Backups of a lab hear the same packets at the same time.
// CPU per daemon (all its processes, utime + stime and utime alone) from /proc over windows; the
// Masters differ by lab as well as by build, so swap A and B between runs. Not part of `npm run
// bench`. Usage, after `tsc -p bench/tsconfig.json`, roots being built checkouts (or copies of
// bin, dist, native-shims/build and package.json with node_modules linked):
//   node bench/.build/bench/ab-cpu.js ROOT_A ROOT_B [WINDOWS=4] [SECONDS=20] [gaps]
// `gaps` also captures every bridge and prints each Master's advertisement gap p99. A root of
// `keepalived` runs keepalived (on PATH) in that build's places: the goal's ratio side by side.
// AB_NODE_ARGS: node flags for every daemon (e.g. --perf-basic-prof); AB_TERM=1: SIGTERM first
// at the end (for --cpu-prof).
import { readFileSync } from 'node:fs';
import { holds, keepalivedConf, killDaemon, poll, sleep, startDaemon, type BenchDaemon } from './lib/daemons.js';
import { addLink, captureVrrpAndArp, newLab, switchHost, type NamespaceLab } from './lib/lab.js';
import { instances, namespaceUsage } from './scale.js';
import { advertGaps, readWire } from './lib/wire.js';
import { p99 } from './lib/stats.js';
import type { LabHost } from '../test/helpers/netns.js';
import { removeScratchDirs } from '../test/helpers/scratch.js';

const LINKS = 5;
const RANGES = ['192.0.2', '198.51.100', '203.0.113'] as const;
const [rootA, rootB, windowsArg, secondsArg, gapsArg] = process.argv.slice(2);
const windows = Number(windowsArg ?? 4);
const seconds = Number(secondsArg ?? 20);

function own(n: number, i: number): string {
  return `${RANGES[n % 3]!}.${211 + 3 * n + i}/24`;
}

async function lab3(): Promise<{ lab: NamespaceLab; hosts: LabHost[] }> {
  const lab = await newLab();
  const hosts = [await lab.addHost('m', [own(0, 0)]), await lab.addHost('a', [own(0, 1)]), await lab.addHost('b', [own(0, 2)])];
  for (let n = 1; n < LINKS; n++) await addLink(lab, n, hosts.map((host, i) => ({ host, address: own(n, i) })));
  return { lab, hosts };
}

function start(root: string, host: LabHost, priority: number): BenchDaemon {
  const conf = keepalivedConf(instances({ label: '1000 instances', instances: 1000, vipsPerInstance: 1 }, priority));
  if (root === 'keepalived') return startDaemon('keepalived', host, conf);
  process.env['VRRPD_BENCH_DAEMON_ROOT'] = root;
  const nodeArgs = (process.env['AB_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  return startDaemon('vrrpd', host, conf, {}, nodeArgs);
}

async function main(): Promise<void> {
  const labs = [await lab3(), await lab3()];
  const daemons: BenchDaemon[] = [];
  const captures = [];
  try {
    const names = ['M1(A)', 'B1(A)', 'B1(B)', 'M2(B)', 'B2(A)', 'B2(B)'];
    const hosts = [labs[0]!.hosts[0]!, labs[0]!.hosts[1]!, labs[0]!.hosts[2]!, labs[1]!.hosts[0]!, labs[1]!.hosts[1]!, labs[1]!.hosts[2]!];
    const roots = [rootA!, rootA!, rootB!, rootB!, rootA!, rootB!];
    const priorities = [150, 100, 100, 150, 100, 100];
    if (gapsArg) for (const l of labs) for (let n = 0; n < LINKS; n++) captures.push(await captureVrrpAndArp(switchHost(l.lab), `br${n}`, 'ip proto 112'));
    for (let i = 0; i < 6; i++) daemons.push(start(roots[i]!, hosts[i]!, priorities[i]!));
    for (const m of [0, 3]) if (!(await poll(() => holds(hosts[m]!, '198.51.100.200', 'eth4'), 40_000, 200))) throw new Error(`${names[m]} does not hold all`);
    await sleep(10_000);
    console.log('pids: ' + names.map((n, i) => `${n} ${daemons[i]!.pid}`).join('  '));
    const from = performance.timeOrigin + performance.now();
    const sums = names.map(() => [] as number[]);
    const users = names.map(() => [] as number[]);
    for (let w = 0; w < windows; w++) {
      const before = await Promise.all(hosts.map(namespaceUsage));
      const t0 = performance.now();
      await sleep(seconds * 1000);
      const after = await Promise.all(hosts.map(namespaceUsage));
      const s = (performance.now() - t0) / 1000;
      const pct = after.map((u, i) => ((u.ticks - before[i]!.ticks) / 100 / s) * 100);
      pct.forEach((v, i) => sums[i]!.push(v));
      after.forEach((u, i) => users[i]!.push(((u.userTicks - before[i]!.userTicks) / 100 / s) * 100));
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      console.log(`window ${w + 1} load ${load}: ` + names.map((n, i) => `${n} ${pct[i]!.toFixed(2)}`).join('  '));
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    console.log('mean: ' + names.map((n, i) => `${n} ${mean(sums[i]!).toFixed(2)}`).join('  '));
    console.log('user: ' + names.map((n, i) => `${n} ${mean(users[i]!).toFixed(2)}`).join('  '));
    console.log(`user Master B/A ${(mean(users[3]!) / mean(users[0]!)).toFixed(3)}  Backup B/A ${((mean(users[2]!) + mean(users[5]!)) / (mean(users[1]!) + mean(users[4]!))).toFixed(3)}`);
    console.log(`Master B/A ${(mean(sums[3]!) / mean(sums[0]!)).toFixed(3)}  Backup B/A ${((mean(sums[2]!) + mean(sums[5]!)) / (mean(sums[1]!) + mean(sums[4]!))).toFixed(3)}`);
    if (gapsArg) {
      for (const c of captures) await c.stop();
      for (const [l, label] of [[0, 'M1(A)'], [1, 'M2(B)']] as const) {
        const wires = captures.slice(l * LINKS, (l + 1) * LINKS).map((c, link) => ({ link, adverts: readWire(c.file).adverts.filter((a) => a.priority === 150 && a.t >= from) }));
        const gaps = wires.flatMap((wire) => advertGaps(wire.adverts));
        console.log(`${label} gap p99 ${p99(gaps).toFixed(1)} ms over ${gaps.length}, > 1010: ${gaps.filter((g) => g > 1010).length}`);
        for (const line of lateClusters(wires, from)) console.log(`  ${label} ${line}`);
      }
    }
  } finally {
    for (const c of captures) await c.stop().catch(() => undefined);
    if (process.env['AB_TERM']) {
      for (const d of daemons) d.process.kill('SIGTERM');
      await sleep(4000);
    }
    for (const d of daemons) await killDaemon(d);
    for (const l of labs) await l.lab.destroy();
    // The daemons' configurations and control sockets (bench/lib/daemons.ts), as bench/main.ts removes them.
    removeScratchDirs();
  }
}

await main();

/**
 * The late advertisements (a gap over 1010 ms) by the 100 ms window they left in, with how many
 * links they were on: a pause of the whole daemon makes them late on every link at once, one
 * sending thread's (or one vCPU's) on some.
 */
function lateClusters(wires: readonly { link: number; adverts: readonly { t: number; source: string; vrid: number }[] }[], from: number): string[] {
  const windows = new Map<number, { count: number; worst: number; links: Set<number> }>();
  for (const wire of wires) {
    const last = new Map<string, number>();
    for (const advert of wire.adverts) {
      const key = `${advert.source}|${advert.vrid}`;
      const previous = last.get(key);
      last.set(key, advert.t);
      if (previous === undefined || advert.t - previous <= 1010) continue;
      const at = Math.floor((advert.t - from) / 100) * 100;
      const window = windows.get(at) ?? { count: 0, worst: 0, links: new Set<number>() };
      window.count++;
      window.worst = Math.max(window.worst, advert.t - previous - 1000);
      window.links.add(wire.link);
      windows.set(at, window);
    }
  }
  return [...windows].sort(([a], [b]) => a - b).map(([at, w]) => `late at ${at} ms: ${w.count}, up to +${w.worst.toFixed(0)} ms, on ${w.links.size} of ${wires.length} links`);
}

