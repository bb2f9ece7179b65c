// Scale: 1, 100 and 1000 VRRPv3 instances at 1 s (VRIDs spread over five links, a VRID being
// unique per link), and one instance with 254 VIPs. A Master (priority 150) and a Backup (100) of
// the same implementation; per daemon: CPU (utime+stime from /proc/PID/stat over a steady window,
// % of one core), RSS, advertisement period p99 from captures on the bridges, and the time from
// the Master's first advertisement to the last VIP's first gratuitous ARP.
import { readFileSync } from 'node:fs';
import { holds, IMPLEMENTATIONS, type BenchDaemon, keepalivedConf, killDaemon, namespacePids, poll, sleep, startDaemon, type Implementation, type InstanceSpec } from './lib/daemons.js';
import { addLink, captureVrrpAndArp, macOf, newLab, switchHost } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, p99, max, ratio, table } from './lib/stats.js';
import { advertGaps, readWire, type Wire } from './lib/wire.js';
import type { LabHost } from '../test/helpers/netns.js';

const LINKS = 5;
/** Each link gets a documentation /24 for its VIPs (reused across links: the kernel allows the same address on two interfaces). */
const RANGES = ['192.0.2', '198.51.100', '203.0.113'] as const;
const CLK_TCK = 100;

export interface Layout {
  readonly label: string;
  readonly instances: number;
  readonly vipsPerInstance: number;
}

export interface ScaleFigures {
  readonly implementation: Implementation;
  readonly layout: string;
  readonly masterCpuPct: number;
  readonly backupCpuPct: number;
  readonly masterRssMb: number;
  readonly backupRssMb: number;
  readonly gapP99: number;
  readonly gapMax: number;
  /** Master's first advertisement to the last VIP's first gratuitous ARP. */
  readonly announceAllMs: number;
  readonly vipsAnnounced: number;
  readonly vipsExpected: number;
}

/** `--scenarios` picks layouts by label (`1000 instances`, `254 VIPs`: a label containing the text). */
function layouts(options: BenchOptions): Layout[] {
  if (options.mode === 'tiny') return [{ label: '3 instances', instances: 3, vipsPerInstance: 1 }];
  const all: Layout[] = [
    { label: '1 instance', instances: 1, vipsPerInstance: 1 },
    { label: '100 instances', instances: 100, vipsPerInstance: 1 },
    { label: '1000 instances', instances: 1000, vipsPerInstance: 1 },
    { label: '1 instance, 254 VIPs', instances: 1, vipsPerInstance: 254 },
  ];
  const chosen = options.scenarios;
  return chosen ? all.filter((layout) => chosen.some((text) => layout.label === text || layout.label.includes(text))) : all;
}

/** Instance i on link i % LINKS, VRID 1 + floor(i / LINKS); its VIPs in that link's range, .1 up to .200. */
export function instances(layout: Layout, priority: number): InstanceSpec[] {
  return Array.from({ length: layout.instances }, (_, i) => {
    const link = i % LINKS;
    const slot = Math.floor(i / LINKS);
    const range = RANGES[link % RANGES.length]!;
    const vips =
      layout.vipsPerInstance === 1
        ? [`${range}.${slot + 1}/32`]
        : Array.from({ length: layout.vipsPerInstance }, (_, v) => `${RANGES[1]}.${v + 1}/32`);
    return { name: `VI_${i}`, interfaceName: `eth${link}`, vrid: slot + 1, priority, version: 3 as const, advertIntS: 1, vips };
  });
}

/** The scale lab: a Master host d and a Backup host p on LINKS bridged links (eth0..eth4). */
export interface ScaleLab {
  readonly lab: Awaited<ReturnType<typeof newLab>>;
  readonly d: LabHost;
  readonly p: LabHost;
}

export async function scaleLab(): Promise<ScaleLab> {
  const lab = await newLab();
  try {
    // Own addresses .201+ so they never collide with VIPs (.1 to .200, or .1 to .254 on link 0 for the 254-VIP instance, which uses 198.51.100).
    const d = await lab.addHost('d', [ownAddress('d', 0)]);
    const p = await lab.addHost('p', [ownAddress('p', 0)]);
    for (let n = 1; n < LINKS; n++) {
      await addLink(lab, n, [
        { host: d, address: ownAddress('d', n) },
        { host: p, address: ownAddress('p', n) },
      ]);
    }
    return { lab, d, p };
  } catch (error) {
    await lab.destroy();
    throw error;
  }
}

export async function scaleBench(options: BenchOptions): Promise<BenchReport> {
  const windowS = { full: 30, quick: 15, tiny: 2 }[options.mode];
  const settleMs = options.mode === 'tiny' ? 1000 : 3000;
  const figures: ScaleFigures[] = [];
  const { lab, d, p } = await scaleLab();
  try {
    const masterMacs = new Set<string>();
    for (let n = 0; n < LINKS; n++) masterMacs.add(await macOf(d, `eth${n}`));
    for (const layout of layouts(options)) {
      for (const implementation of IMPLEMENTATIONS) {
        options.log(`  ${layout.label}: ${implementation}`);
        figures.push(await oneRun(layout, implementation, d, p, masterMacs, windowS, settleMs, lab));
      }
    }
  } finally {
    await lab.destroy();
  }
  const rows = figures.map((f) => [
    f.layout,
    f.implementation,
    fmt(f.masterCpuPct, 2),
    fmt(f.backupCpuPct, 2),
    fmt(f.masterRssMb),
    fmt(f.backupRssMb),
    fmt(f.gapP99),
    fmt(f.gapMax),
    fmt(f.announceAllMs),
    `${f.vipsAnnounced}/${f.vipsExpected}`,
  ]);
  const ratios = layouts(options).map((layout) => {
    const v = figures.find((f) => f.layout === layout.label && f.implementation === 'vrrpd');
    const k = figures.find((f) => f.layout === layout.label && f.implementation === 'keepalived');
    return [layout.label, ratio(v?.masterCpuPct ?? NaN, k?.masterCpuPct ?? NaN), ratio(v?.backupCpuPct ?? NaN, k?.backupCpuPct ?? NaN), ratio(v?.masterRssMb ?? NaN, k?.masterRssMb ?? NaN), ratio(v?.announceAllMs ?? NaN, k?.announceAllMs ?? NaN)];
  });
  return {
    name: 'scale',
    title: `Scale: v3 at 1 s, VRIDs over ${LINKS} links; CPU over a ${windowS} s steady window (% of one core, all processes of the daemon), RSS summed`,
    text:
      table(['layout', 'daemon (vrrpd / keepalived)', 'Master CPU %', 'Backup CPU %', 'Master RSS MB', 'Backup RSS MB', 'advert gap p99 ms', 'gap max ms', 'first advert -> all VIPs announced ms', 'VIPs announced'], rows) +
      '\n\nRatios vrrpd / keepalived:\n\n' +
      table(['layout', 'Master CPU', 'Backup CPU', 'Master RSS', 'announce all'], ratios),
    data: { figures },
  };
}

async function oneRun(layout: Layout, implementation: Implementation, d: LabHost, p: LabHost, masterMacs: ReadonlySet<string>, windowS: number, settleMs: number, lab: Parameters<typeof switchHost>[0]): Promise<ScaleFigures> {
  const sw = switchHost(lab);
  const captures = [];
  for (let n = 0; n < LINKS; n++) captures.push(await captureVrrpAndArp(sw, `br${n}`));
  const pair = startPair(layout, implementation, d, p);
  const specs = instances(layout, 150);
  const vipsExpected = specs.reduce((n, s) => n + s.vips.length, 0);
  try {
    await pair.masterHoldsAll();
    // Steady state: every instance settled, the gratuitous ARP bursts over.
    await sleep(settleMs);
    const before = await usage(d, p);
    await sleep(windowS * 1000);
    const after = await usage(d, p);
    const wires: Wire[] = [];
    for (const capture of captures) {
      await capture.stop();
      wires.push(readWire(capture.file));
    }
    const adverts = wires.flatMap((w) => w.adverts);
    const garps = wires.flatMap((w) => w.garps).filter((g) => masterMacs.has(g.mac));
    const firstAdvert = Math.min(...adverts.filter((a) => a.priority === 150).map((a) => a.t));
    const firstGarpPerVip = new Map<string, number>();
    for (const g of garps) if (!firstGarpPerVip.has(`${g.mac}|${g.address}`)) firstGarpPerVip.set(`${g.mac}|${g.address}`, g.t);
    const allAnnounced = firstGarpPerVip.size > 0 ? Math.max(...firstGarpPerVip.values()) : Number.NaN;
    const steadyFrom = after.at - windowS * 1000;
    const gaps = wires.flatMap((w) => advertGaps(w.adverts.filter((a) => a.priority === 150 && a.t >= steadyFrom)));
    const seconds = (after.at - before.at) / 1000;
    return {
      implementation,
      layout: layout.label,
      masterCpuPct: ((after.master.ticks - before.master.ticks) / CLK_TCK / seconds) * 100,
      backupCpuPct: ((after.backup.ticks - before.backup.ticks) / CLK_TCK / seconds) * 100,
      masterRssMb: after.master.rssKb / 1024,
      backupRssMb: after.backup.rssKb / 1024,
      gapP99: p99(gaps),
      gapMax: max(gaps),
      announceAllMs: allAnnounced - firstAdvert,
      vipsAnnounced: firstGarpPerVip.size,
      vipsExpected,
    };
  } finally {
    for (const capture of captures) await capture.stop().catch(() => undefined);
    await pair.stop();
  }
}

/** A Master (priority 150) on d and a Backup (100) on p of `layout`, one implementation. */
export interface DaemonPair {
  readonly master: BenchDaemon;
  readonly backup: BenchDaemon;
  /** Whether the Master came to hold its last VIP (every instance Master) within 30 s. */
  masterHoldsAll(): Promise<boolean>;
  stop(): Promise<void>;
}

export function startPair(layout: Layout, implementation: Implementation, d: LabHost, p: LabHost): DaemonPair {
  const master = startDaemon(implementation, d, keepalivedConf(instances(layout, 150)));
  const backup = startDaemon(implementation, p, keepalivedConf(instances(layout, 100)));
  const last = instances(layout, 150).at(-1)!;
  const lastVip = last.vips.at(-1)!.split('/')[0]!;
  return {
    master,
    backup,
    masterHoldsAll: () => poll(() => holds(d, lastVip, last.interfaceName), 30_000, 100),
    stop: async () => {
      await killDaemon(master);
      await killDaemon(backup);
      await resetHosts(d, p);
    },
  };
}

/** After the pair is killed: whatever the daemons left (SIGKILL removes nothing), then the hosts' own addresses again. */
export async function resetHosts(d: LabHost, p: LabHost): Promise<void> {
  for (const host of [d, p]) for (let n = 0; n < LINKS; n++) await host.ip('addr', 'flush', 'dev', `eth${n}`);
  await restoreAddresses(d, p);
}

/** Link n: the Master host has RANGE.(211 + 2n)/24, the Backup host RANGE.(212 + 2n)/24. */
function ownAddress(host: 'd' | 'p', n: number): string {
  return `${RANGES[n % RANGES.length]!}.${(host === 'd' ? 211 : 212) + 2 * n}/24`;
}

async function restoreAddresses(d: LabHost, p: LabHost): Promise<void> {
  for (let n = 0; n < LINKS; n++) {
    await d.ip('addr', 'replace', ownAddress('d', n), 'dev', `eth${n}`);
    await p.ip('addr', 'replace', ownAddress('p', n), 'dev', `eth${n}`);
  }
}

export interface Usage {
  /** utime + stime of every process in the namespace, in clock ticks. */
  readonly ticks: number;
  /** utime alone (bench/ab-cpu.ts reports it apart). */
  readonly userTicks: number;
  readonly rssKb: number;
}

async function usage(d: LabHost, p: LabHost): Promise<{ at: number; master: Usage; backup: Usage }> {
  const [master, backup] = await Promise.all([namespaceUsage(d), namespaceUsage(p)]);
  return { at: performance.timeOrigin + performance.now(), master, backup };
}

export async function namespaceUsage(host: LabHost): Promise<Usage> {
  let ticks = 0;
  let userTicks = 0;
  let rssKb = 0;
  for (const pid of await namespacePids(host)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      userTicks += Number(fields[11]);
      ticks += Number(fields[11]) + Number(fields[12]);
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      rssKb += Number(rss?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  return { ticks, userTicks, rssKb };
}
