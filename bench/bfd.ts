// BFD: how fast a VIP follows its upstream, and whether BFD keeps time under load.
//
// Failover: a Master tracks a BFD session to its upstream router (FRR's bfdd) with weight 0; the
// upstream falls silent (its bfdd SIGSTOPped, at a known instant); the Backup takes the VIP.
// Measured on the upstream's capture from the upstream's last packet to the Master: its priority-0
// advertisement (the Detection Time expired, Fault) and the Backup's first gratuitous ARP (the VIP
// moved). The Backup's priority (253 against the Master's 254) makes its Skew_Time 11.7 ms. At
// 50 ms x 3 and 10 ms x 3, vrrpd and keepalived 2.2.7 side by side on the same upstream.
//
// Jitter: each daemon keeps two sessions to the upstream, 10 ms x 3 and 50 ms x 3, through phases
// of load: one VRRP instance; 1000; 1000 with a reload every 5 s; 1000 with a notify burst every
// 5 s (a track_file all instances follow flips them to Fault and back: a notify script per
// instance and transition); 1000 with a CPU hog on every core (the stability benchmark's). Gaps
// between a daemon's BFD packets on the upstream's capture, and the session Downs FRR counted.
// vrrpd runs twice: its BFD sessions in their worker thread (the default) and, for comparison, on
// the main loop (VRRPD_BFD_THREAD=main).
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBfdd, type Bfdd } from '../test/helpers/frr.js';
import type { LabHost } from '../test/helpers/netns.js';
import { holds, keepalivedConf, killDaemon, namespacePids, nowEpochMs, poll, signalQuietly, sleep, startDaemonWithBfd, type BenchDaemon, type Implementation, type InstanceSpec } from './lib/daemons.js';
import { addLink, macOf, newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, max, median, p99, table } from './lib/stats.js';
import { startCapture } from '../test/helpers/capture.js';

const UPSTREAM = '192.0.2.254';
/** (256 - 253) / 256 of the 1 s advertisement interval. */
const BACKUP_PRIORITY = 253;
const MASTER_PRIORITY = 254;
const SKEW_MS = ((256 - BACKUP_PRIORITY) * 1000) / 256;

interface BfdSpec {
  readonly name: string;
  readonly source: string;
  readonly intervalMs: number;
  readonly multiplier: number;
}

/** keepalived.conf text for both daemons: bfd_instances, then instances (with their extra lines). */
function conf(options: BenchOptions, bfd: readonly BfdSpec[], instances: readonly InstanceSpec[], before: readonly string[] = []): string {
  const blocks = bfd.map((b) => `bfd_instance ${b.name} {\n  neighbor_ip ${UPSTREAM}\n  source_ip ${b.source}\n  min_rx ${b.intervalMs}\n  min_tx ${b.intervalMs}\n  multiplier ${b.multiplier}\n}\n`);
  // keepalived's bfd_rt_priority puts its BFD process under SCHED_RR; vrrpd's its BFD thread.
  const globalDefs = ['script_user root', ...(options.bfdRtPriority !== undefined ? [`bfd_rt_priority ${options.bfdRtPriority}`] : [])];
  return [...before, ...blocks, keepalivedConf(instances, globalDefs)].join('');
}

/** FRR's configuration: one peer per session, its timers those of the session. */
function frrConf(bfd: readonly BfdSpec[]): string {
  return (
    'bfd\n' +
    bfd.map((b) => ` peer ${b.source} local-address ${UPSTREAM}\n  receive-interval ${b.intervalMs}\n  transmit-interval ${b.intervalMs}\n  detect-multiplier ${b.multiplier}\n !\n`).join('') +
    '!\n'
  );
}

interface Packet {
  readonly t: number;
  readonly source: string;
  readonly destination: string;
  readonly udpPort: number;
  readonly vrid: number;
  readonly priority: number;
  readonly arpAddress: string;
  readonly mac: string;
  /** BFD Sta: 3 is Up. */
  readonly bfdState: number;
}

function readPackets(file: string): Packet[] {
  const fields = ['frame.time_epoch', 'ip.src', 'ip.dst', 'udp.dstport', 'vrrp.virt_rtr_id', 'vrrp.prio', 'arp.src.proto_ipv4', 'eth.src', 'bfd.sta'];
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 1024 * 1024 * 1024 }).trim();
  if (out === '') return [];
  return out.split('\n').map((line) => {
    const [time, source, destination, port, vrid, priority, arp, mac, sta] = line.split('\t');
    return {
      t: Number(time) * 1000,
      source: source ?? '',
      destination: destination ?? '',
      udpPort: Number(port || 0),
      vrid: Number(vrid || 0),
      priority: Number(priority || -1),
      arpAddress: arp ?? '',
      mac: mac ?? '',
      bfdState: Number(sta || -1),
    };
  });
}

// ---- failover ----

export interface FailoverTrial {
  readonly implementation: Implementation;
  readonly setting: string;
  readonly detectionMs: number;
  /** The upstream's last packet to the Master to the Master's priority-0 advertisement. */
  readonly toFaultMs: number;
  /** ... to the Backup's first gratuitous ARP for the VIP. */
  readonly toVipMs: number;
  /** The Master's priority-0 advertisement to the Backup's first advertisement (Skew_Time and the takeover). */
  readonly faultToAdvertMs: number;
  /** The Backup's first advertisement to its first gratuitous ARP. */
  readonly advertToGarpMs: number;
  /** The upstream's last packet came after the bench read its clock to SIGSTOP bfdd (the anchor moved to it). */
  readonly afterCut: boolean;
}

interface Pair {
  readonly implementation: Implementation;
  readonly vrid: number;
  readonly vip: string;
  readonly masterIp: string;
  readonly backupIp: string;
  readonly masterHost: LabHost;
  readonly backupHost: LabHost;
  backupMac: string;
  master?: BenchDaemon;
  backup?: BenchDaemon;
}

const settingLabel = (setting: { intervalMs: number; multiplier: number }): string => `${setting.intervalMs} ms x ${setting.multiplier}`;

async function failover(options: BenchOptions, setting: { intervalMs: number; multiplier: number }): Promise<FailoverTrial[]> {
  const trials = options.trials ?? { full: 20, quick: 8, tiny: 1 }[options.mode];
  const label = settingLabel(setting);
  const lab = await newLab();
  const stopping: Array<() => Promise<void>> = [];
  const results: FailoverTrial[] = [];
  try {
    const up = await lab.addHost('up', [`${UPSTREAM}/24`]);
    const pairs: Pair[] = [
      { implementation: 'vrrpd', vrid: 51, vip: '192.0.2.100', masterIp: '192.0.2.1', backupIp: '192.0.2.2', masterHost: await lab.addHost('vm', ['192.0.2.1/24']), backupHost: await lab.addHost('vb', ['192.0.2.2/24']), backupMac: '' },
      { implementation: 'keepalived', vrid: 52, vip: '192.0.2.101', masterIp: '192.0.2.3', backupIp: '192.0.2.4', masterHost: await lab.addHost('km', ['192.0.2.3/24']), backupHost: await lab.addHost('kb', ['192.0.2.4/24']), backupMac: '' },
    ];
    const sessions = pairs.map((pair): BfdSpec => ({ name: 'upstream', source: pair.masterIp, ...setting }));
    const frr = await startBfdd(up, frrConf(sessions));
    stopping.push(() => frr.stop());
    const frrPid = await bfddPid(up);
    for (const [i, pair] of pairs.entries()) {
      pair.backupMac = await macOf(pair.backupHost);
      const instance = (priority: number, extra: string[] = []): InstanceSpec => ({ name: 'VI_1', interfaceName: 'eth0', vrid: pair.vrid, priority, version: 3, advertIntS: 1, vips: [`${pair.vip}/24`], extra });
      pair.master = startDaemonWithBfd(pair.implementation, pair.masterHost, conf(options, [sessions[i]!], [instance(MASTER_PRIORITY, ['track_bfd {', '  upstream', '}'])]));
      pair.backup = startDaemonWithBfd(pair.implementation, pair.backupHost, conf(options, [], [instance(BACKUP_PRIORITY)]));
      stopping.push(() => killDaemon(pair.master!), () => killDaemon(pair.backup!));
    }
    const mastersHold = async () => (await Promise.all(pairs.map((pair) => holds(pair.masterHost, pair.vip)))).every(Boolean);
    const backupsHold = async () => (await Promise.all(pairs.map((pair) => holds(pair.backupHost, pair.vip)))).every(Boolean);
    if (!(await poll(mastersHold, 30_000, 50))) {
      // BFD that cannot stay Up (a loaded machine at 10 ms) keeps a weight-0 Master in Fault.
      options.log(`  ${label}: the Masters did not both hold their VIPs within 30 s; no trials`);
      return results;
    }
    const capture = await startCapture(up, 'udp port 3784 or ip proto 112 or arp', 'eth0', { bufferKiB: 32768 });
    stopping.push(() => capture.stop());
    const cuts: number[] = [];
    for (let trial = 0; trial < trials; trial++) {
      if (!(await poll(mastersHold, 30_000, 50))) {
        options.log(`  ${label}: the Masters did not take their VIPs back within 30 s; ${trial} trials`);
        break;
      }
      // A second of steady state, then a cut at a random phase of the transmit interval.
      await sleep(1000 + Math.random() * setting.intervalMs);
      cuts.push(nowEpochMs());
      signalQuietly(frrPid, 'SIGSTOP');
      const moved = await poll(backupsHold, 10_000, 5);
      signalQuietly(frrPid, 'SIGCONT');
      if (!moved) options.log(`  ${label}: trial ${trial + 1}: a Backup did not take its VIP within 10 s`);
    }
    await capture.stop();
    const packets = readPackets(capture.file);
    rmSync(join(capture.file, '..'), { recursive: true, force: true });
    for (const cut of cuts) {
      for (const pair of pairs) {
        const fault = packets.find((p) => p.t > cut && p.source === pair.masterIp && p.vrid === pair.vrid && p.priority === 0);
        // The upstream's last packet: bfdd may send one between the bench reading its clock and
        // the SIGSTOP, so the last before the Master's priority 0 (nothing comes from a stopped bfdd).
        const fromUpstream = packets.filter((p) => p.source === UPSTREAM && p.destination === pair.masterIp && p.udpPort === 3784);
        const last = fault ? fromUpstream.filter((p) => p.t < fault.t).at(-1) : fromUpstream.filter((p) => p.t <= cut).at(-1);
        const advert = fault ? packets.find((p) => p.t > fault.t && p.source === pair.backupIp && p.vrid === pair.vrid && p.priority === BACKUP_PRIORITY) : undefined;
        const garp = packets.find((p) => p.t > cut && p.arpAddress === pair.vip && p.mac === pair.backupMac);
        if (!last) continue;
        results.push({
          implementation: pair.implementation,
          setting: label,
          detectionMs: setting.intervalMs * setting.multiplier,
          toFaultMs: fault ? fault.t - last.t : NaN,
          toVipMs: garp ? garp.t - last.t : NaN,
          faultToAdvertMs: fault && advert ? advert.t - fault.t : NaN,
          advertToGarpMs: advert && garp ? garp.t - advert.t : NaN,
          afterCut: last.t > cut,
        });
      }
    }
  } finally {
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    await lab.destroy();
  }
  return results;
}

async function bfddPid(host: LabHost): Promise<number> {
  for (const pid of await namespacePids(host)) {
    try {
      if (execFileSync('cat', [`/proc/${pid}/comm`], { encoding: 'utf8' }).trim() === 'bfdd') return pid;
    } catch {
      // gone
    }
  }
  throw new Error('no bfdd in the upstream host');
}

// ---- jitter under load ----

type Phase = '1 instance' | '1000 instances' | '+ reload every 5 s' | '+ notify burst every 5 s' | '+ CPU hog';
const PHASES: readonly Phase[] = ['1 instance', '1000 instances', '+ reload every 5 s', '+ notify burst every 5 s', '+ CPU hog'];
const EVENT_EVERY_MS = 5000;
const EXTRA_LINKS = 4;

interface Runner {
  readonly label: string;
  readonly implementation: Implementation;
  readonly env: NodeJS.ProcessEnv;
  readonly host: LabHost;
  readonly fast: BfdSpec;
  readonly slow: BfdSpec;
  /** The links of its 1000 instances. */
  readonly links: readonly string[];
  daemon?: BenchDaemon;
}

export interface JitterFigures {
  readonly phase: Phase;
  readonly runner: string;
  readonly session: string;
  readonly intervalMs: number;
  readonly gaps: number;
  /** Packets sent in the phase (any state). */
  readonly packets: number;
  readonly gapP50: number;
  readonly gapP99: number;
  readonly gapMax: number;
  /** Gaps longer than the Detection Time: the peer would have declared the session Down. */
  readonly overDetection: number;
  /**
   * Gaps longer than 90 % of it: FRR arms its Detection Time when its loop reads a packet and runs
   * expired timers before reading the sockets, so a bfdd itself late under load counts such a gap
   * as a Down too (the ninth sitting's one Down under the CPU hog followed a 149.5 ms gap).
   */
  readonly nearDetection: number;
  /** Downs FRR counted for this session during the phase. */
  readonly frrDowns: number;
}

/** 1000 instances over `links` (250 VRIDs each), following `flip` with weight 0, notify scripts on every transition. */
function manyInstances(flip: string, links: readonly string[]): { instances: InstanceSpec[]; before: string[] } {
  const instances = Array.from({ length: 1000 }, (_, i): InstanceSpec => {
    const slot = Math.floor(i / links.length);
    return {
      name: `VI_${i}`,
      interfaceName: links[i % links.length]!,
      vrid: slot + 1,
      priority: 150,
      version: 3,
      advertIntS: 1,
      vips: [`198.51.100.${(slot % 250) + 1}/32`],
      extra: ['track_file {', '  flip', '}', 'notify_master /bin/true', 'notify_backup /bin/true', 'notify_fault /bin/true'],
    };
  });
  return { instances, before: [`track_file flip {\n  file ${flip}\n  weight 0\n}\n`] };
}

async function jitter(options: BenchOptions): Promise<{ figures: JitterFigures[]; phaseSeconds: number }> {
  const phaseMs = { full: 60_000, quick: 25_000, tiny: 6_000 }[options.mode];
  const settleMs = Math.min(8000, phaseMs / 3);
  const lab = await newLab();
  const scratch = mkdtempSync(join(tmpdir(), 'vrrpd-bfd-bench-'));
  const flip = join(scratch, 'flip');
  writeFileSync(flip, '0\n');
  const stopping: Array<() => Promise<void>> = [];
  const hogs: ChildProcess[] = [];
  const figures: JitterFigures[] = [];
  try {
    const up = await lab.addHost('up', [`${UPSTREAM}/24`]);
    const runners: Runner[] = [];
    const add = async (label: string, implementation: Implementation, env: NodeJS.ProcessEnv, n: number): Promise<void> => {
      const fast = { name: 'fast', source: `192.0.2.${n}`, intervalMs: 10, multiplier: 3 };
      const slow = { name: 'slow', source: `192.0.2.${n + 10}`, intervalMs: 50, multiplier: 3 };
      const host = await lab.addHost(`h${n}`, [`${fast.source}/24`, `${slow.source}/24`]);
      // Links of its own for its 1000 instances: no other daemon hears them, so all are Master.
      const links = Array.from({ length: EXTRA_LINKS }, (_, i) => n * 10 + i + 1);
      for (const link of links) await addLink(lab, link, [{ host, address: `203.0.113.${n}/24` }]);
      runners.push({ label, implementation, env, host, fast, slow, links: links.map((link) => `eth${link}`) });
    };
    await add('vrrpd (worker)', 'vrrpd', {}, 1);
    await add('vrrpd (main loop)', 'vrrpd', { VRRPD_BFD_THREAD: 'main' }, 2);
    await add('keepalived', 'keepalived', {}, 3);
    const frr = await startBfdd(up, frrConf(runners.flatMap((r) => [r.fast, r.slow])));
    stopping.push(() => frr.stop());
    const one = (r: Runner) => conf(options, [r.fast, r.slow], [{ name: 'VI_0', interfaceName: 'eth0', vrid: 50 + runners.indexOf(r), priority: 150, version: 3, advertIntS: 1, vips: ['192.0.2.200/32'] }]);
    const many = (r: Runner) => {
      const { instances, before } = manyInstances(flip, r.links);
      return conf(options, [r.fast, r.slow], instances, before);
    };
    for (const r of runners) {
      r.daemon = startDaemonWithBfd(r.implementation, r.host, one(r), r.env);
      stopping.push(() => killDaemon(r.daemon!));
    }
    const sessionsUp = async () => (await frr.peers()).filter((peer) => peer.status === 'up').length === runners.length * 2;
    if (!(await poll(sessionsUp, 30_000, 100))) throw new Error(`not every BFD session came Up: ${JSON.stringify((await frr.peers()).map((p) => [p.peer, p.status]))}`);
    const capture = await startCapture(up, `udp port 3784 and src net 192.0.2.0/24 and not src host ${UPSTREAM}`, 'eth0', { bufferKiB: 32768 });
    stopping.push(() => capture.stop());
    const windows: Array<{ phase: Phase; from: number; to: number; downs: Map<string, number> }> = [];
    let downsBefore = await frrDowns(frr);
    // `--scenarios hog` / `notify`: the CPU hog's or the notify burst's phase alone (or both), after
    // the 1000 instances they load onto.
    const alone = PHASES.filter((phase) => (phase === '+ CPU hog' && options.scenarios?.includes('hog')) || (phase === '+ notify burst every 5 s' && options.scenarios?.includes('notify')));
    const phases = alone.length > 0 ? PHASES.filter((phase) => phase === '1000 instances' || alone.includes(phase)) : PHASES;
    for (const phase of phases) {
      options.log(`  phase "${phase}" for ${(phaseMs / 1000).toFixed(0)} s`);
      if (phase === '1000 instances') {
        await Promise.all(runners.map((r) => reload(r, many(r))));
        // The reload into 1000 instances is an event of its own: wait for it to settle.
        await sleep(settleMs);
        downsBefore = await frrDowns(frr);
      }
      if (phase === '+ CPU hog') for (let i = 0; i < cpus().length; i++) hogs.push(spawn('node', ['-e', 'for(;;){}'], { stdio: 'ignore' }));
      const from = nowEpochMs();
      let flipped = false;
      while (nowEpochMs() - from < phaseMs) {
        await sleep(Math.min(EVENT_EVERY_MS, phaseMs - (nowEpochMs() - from)));
        if (nowEpochMs() - from >= phaseMs) break;
        if (phase === '+ reload every 5 s') await Promise.all(runners.map((r) => reload(r, many(r))));
        if (phase === '+ notify burst every 5 s') {
          flipped = !flipped;
          writeFileSync(flip, flipped ? '1\n' : '0\n');
        }
      }
      if (flipped) writeFileSync(flip, '0\n');
      for (const hog of hogs.splice(0)) hog.kill('SIGKILL');
      const downsAfter = await frrDowns(frr);
      windows.push({ phase, from, to: nowEpochMs(), downs: new Map([...downsAfter].map(([peer, n]) => [peer, n - (downsBefore.get(peer) ?? 0)])) });
      downsBefore = downsAfter;
    }
    await capture.stop();
    const packets = readPackets(capture.file);
    rmSync(join(capture.file, '..'), { recursive: true, force: true });
    for (const w of windows) {
      for (const r of runners) {
        for (const session of [r.fast, r.slow]) {
          // Gaps between packets sent Up: while Down a session slows to idle_tx on purpose.
          const sent = packets.filter((p) => p.source === session.source && p.t >= w.from && p.t < w.to);
          const gaps = sent.slice(1).flatMap((p, i) => (p.bfdState === 3 && sent[i]!.bfdState === 3 ? [p.t - sent[i]!.t] : []));
          figures.push({
            phase: w.phase,
            runner: r.label,
            session: `${session.intervalMs} ms x ${session.multiplier}`,
            intervalMs: session.intervalMs,
            gaps: gaps.length,
            packets: sent.length,
            gapP50: median(gaps),
            gapP99: p99(gaps),
            gapMax: max(gaps),
            overDetection: gaps.filter((gap) => gap > session.intervalMs * session.multiplier).length,
            nearDetection: gaps.filter((gap) => gap > 0.9 * session.intervalMs * session.multiplier).length,
            frrDowns: w.downs.get(session.source) ?? 0,
          });
        }
      }
    }
  } finally {
    for (const hog of hogs) hog.kill('SIGKILL');
    for (const stop of stopping.reverse()) await stop().catch(() => undefined);
    await lab.destroy();
    rmSync(scratch, { recursive: true, force: true });
  }
  return { figures, phaseSeconds: phaseMs / 1000 };
}

/** Rewrites the daemon's configuration and sends SIGHUP (keepalived: to its parent, which reloads its children). */
async function reload(r: Runner, text: string): Promise<void> {
  writeFileSync(r.daemon!.configFile, text);
  signalQuietly(r.daemon!.pid, 'SIGHUP');
}

async function frrDowns(frr: Bfdd): Promise<Map<string, number>> {
  const counters = await frr.counters();
  return new Map(counters.map((c) => [c.peer, c['session-down']]));
}

// ---- report ----

const FAILOVER_SETTINGS = [
  { intervalMs: 50, multiplier: 3 },
  { intervalMs: 10, multiplier: 3 },
] as const;

export async function bfdBench(options: BenchOptions): Promise<BenchReport> {
  // `--scenarios failover` or `--scenarios jitter` runs that half alone; both when absent.
  // `--scenarios hog` / `notify`: of the jitter half, the 1000 instances and the CPU hog / the notify burst only.
  const runs = (part: 'failover' | 'jitter'): boolean =>
    options.scenarios === undefined || options.scenarios.includes(part) || (part === 'jitter' && (options.scenarios.includes('hog') || options.scenarios.includes('notify')));
  const trials: FailoverTrial[] = [];
  for (const setting of runs('failover') ? FAILOVER_SETTINGS : []) {
    options.log(`  failover at ${setting.intervalMs} ms x ${setting.multiplier}`);
    trials.push(...(await failover(options, setting)));
  }
  if (runs('jitter')) options.log('  jitter under load');
  const { figures, phaseSeconds } = runs('jitter') ? await jitter(options) : { figures: [], phaseSeconds: 0 };
  const failoverRows: string[][] = [];
  // Every setting gets its rows; one whose Masters never held their VIPs (BFD not staying Up) shows 0/0.
  for (const settings of FAILOVER_SETTINGS) {
    const setting = settingLabel(settings);
    const detection = settings.intervalMs * settings.multiplier;
    for (const implementation of ['vrrpd', 'keepalived'] as const) {
      const mine = trials.filter((t) => t.setting === setting && t.implementation === implementation);
      const toVip = mine.map((t) => t.toVipMs).filter(Number.isFinite);
      failoverRows.push([
        setting,
        implementation,
        `${toVip.length}/${mine.length}`,
        fmt(median(mine.map((t) => t.toFaultMs))),
        fmt(p99(mine.map((t) => t.toFaultMs))),
        fmt(median(toVip)),
        fmt(p99(toVip)),
        fmt(max(toVip)),
        fmt(p99(toVip) - SKEW_MS - detection),
        `${fmt(median(mine.map((t) => t.faultToAdvertMs)))} / ${fmt(p99(mine.map((t) => t.faultToAdvertMs)))}`,
        `${fmt(median(mine.map((t) => t.advertToGarpMs)))} / ${fmt(p99(mine.map((t) => t.advertToGarpMs)))}`,
      ]);
    }
  }
  const jitterRows = figures.map((f) => [f.phase, f.runner, f.session, String(f.packets), fmt(f.gapP50), fmt(f.gapP99), fmt(f.gapMax), `${f.overDetection}/${f.gaps}`, String(f.nearDetection), String(f.frrDowns)]);
  return {
    name: 'bfd',
    title: 'BFD: failure detection to the VIP on the Backup (vrrpd / keepalived, upstream FRR bfdd), and BFD transmit gaps under load',
    text:
      table(['setting', 'daemon (vrrpd / keepalived)', 'VIP moved', 'to Fault p50 ms', 'to Fault p99 ms', 'to VIP p50 ms', 'to VIP p99 ms', 'to VIP max ms', 'p99 - Skew_Time - Detection Time ms', 'priority 0 to Backup advert p50 / p99 ms', 'Backup advert to GARP p50 / p99 ms'], failoverRows) +
      `\n\nFrom the upstream's last BFD packet to the Master (its bfdd then SIGSTOPped) to the Master's priority-0 advertisement ("to Fault") and to the Backup's first gratuitous ARP ("to VIP"), on the upstream's capture; the Backup's part split at its first advertisement (Skew_Time, then its takeover). ` +
      `Detection Time is multiplier x interval; the Backup's Skew_Time is ${fmt(SKEW_MS)} ms (priority ${BACKUP_PRIORITY}). The goal: the last column at most 5 ms.\n\n` +
      table(['phase', 'daemon (vrrpd / keepalived)', 'session', 'packets', 'gap p50 ms', 'gap p99 ms', 'gap max ms', 'gaps > Detection Time', 'gaps > 90 % of it', 'Downs at FRR'], jitterRows) +
      `\n\n${phaseSeconds} s per phase. Gaps between one session's consecutive packets sent while Up, on the upstream's capture (RFC 5880 §6.8.7 jitter puts them at 75-100% of the interval; keepalived at 75-90%); ` +
      'a gap longer than the Detection Time is one the peer would see as a failure, and one within 10 % of it one a bfdd late itself may (FRR runs expired timers before reading its sockets); FRR counted its session Downs. vrrpd (worker) runs its BFD sessions in their own thread (the default); vrrpd (main loop) on the main event loop (VRRPD_BFD_THREAD=main).' +
      (options.bfdRtPriority !== undefined ? ` Every daemon ran with bfd_rt_priority ${options.bfdRtPriority} (SCHED_RR: keepalived's BFD process, vrrpd's BFD thread).` : ' No daemon ran with bfd_rt_priority.'),
    data: { trials, figures },
  };
}
