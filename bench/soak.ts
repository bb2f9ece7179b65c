// Soak: three vrrpd routers, two virtual routers with opposite priorities, for a long time
// (30 min full, --minutes to change), while a seeded random schedule flaps links, crashes Masters
// (every process of the namespace frozen and killed) and restarts them, and stops routers
// gracefully. After every event: within the protocol's bound, each VIP is on exactly one live
// router, the one the protocol says (highest priority among the running routers with carrier).
import { masterDownInterval } from '../src/vrrp/protocol/timers.js';
import { crashHost, holds, keepalivedConf, killDaemon, poll, sleep, startDaemon, type BenchDaemon } from './lib/daemons.js';
import { newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, max, median, p99, table } from './lib/stats.js';
import type { LabHost } from '../test/helpers/netns.js';

const ADVERT_S = 0.1;
const VIPS = [
  { vip: '192.0.2.100', vrid: 51, priorities: { a: 150, b: 120, c: 100 } },
  { vip: '192.0.2.101', vrid: 52, priorities: { a: 100, b: 120, c: 150 } },
] as const;
type Name = 'a' | 'b' | 'c';
const NAMES: readonly Name[] = ['a', 'b', 'c'];
/** Polling and scheduling slack on a shared, loaded machine. */
const MARGIN_MS = 500;
/** A restarted vrrpd: node start-up and configuration before its timers even begin. */
const START_ALLOWANCE_MS = 3000;

interface Router {
  readonly name: Name;
  readonly host: LabHost;
  daemon?: BenchDaemon;
  carrier: boolean;
}

type EventKind = 'crash-master' | 'link-flap' | 'graceful-stop' | 'crash-any';

export interface SoakEvent {
  readonly atS: number;
  readonly kind: EventKind;
  readonly router: Name;
  readonly phase: string;
  readonly convergedMs: number;
  readonly boundMs: number;
  readonly violation?: string;
}

/** mulberry32: a small seeded generator, so a failing schedule can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function configFor(name: Name): string {
  return keepalivedConf(
    VIPS.map((v, i) => ({ name: `VI_${i + 1}`, interfaceName: 'eth0', vrid: v.vrid, priority: v.priorities[name], version: 3 as const, advertIntS: ADVERT_S, vips: [`${v.vip}/24`] })),
  );
}

export async function soakBench(options: BenchOptions): Promise<BenchReport> {
  const minutes = options.minutes ?? { full: 30, quick: 10, tiny: 0.3 }[options.mode];
  const seed = options.seed ?? 1;
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const events: SoakEvent[] = [];
  const lab = await newLab();
  const started = performance.now();
  try {
    const routers: Router[] = [];
    for (const [i, name] of NAMES.entries()) routers.push({ name, host: await lab.addHost(name, [`192.0.2.${i + 1}/24`]), carrier: true });
    for (const r of routers) r.daemon = startDaemon('vrrpd', r.host, configFor(r.name));
    await check(routers, 'start', START_ALLOWANCE_MS + masterDownInterval(3, 100, ADVERT_S * 1000), 'crash-any', 'a', started, events);

    const record = (kind: EventKind, router: Name, phase: string, bound: number): Promise<void> => check(routers, phase, bound, kind, router, started, events);
    const worstMdi = masterDownInterval(3, 100, ADVERT_S * 1000);
    let faults = 0;
    while (performance.now() - started < minutes * 60_000) {
      const kind = pick<EventKind>(['crash-master', 'crash-master', 'link-flap', 'link-flap', 'graceful-stop', 'crash-any']);
      const target = kind === 'crash-master' ? await masterOf(routers, pick(VIPS).vip) : pick(routers);
      if (!target) continue;
      if (kind === 'link-flap') {
        await target.host.setCarrier(false);
        target.carrier = false;
        await record(kind, target.name, 'link down', worstMdi + MARGIN_MS);
        await sleep(200 + random() * 2000);
        await target.host.setCarrier(true);
        target.carrier = true;
        await record(kind, target.name, 'link up', worstMdi + MARGIN_MS);
      } else {
        if (kind === 'graceful-stop') {
          target.daemon!.process.kill('SIGTERM');
          await Promise.race([target.daemon!.exited, sleep(3000)]);
        } else await crashHost(target.host);
        await killDaemon(target.daemon!);
        target.daemon = undefined;
        await record(kind, target.name, 'down', worstMdi + MARGIN_MS);
        await sleep(300 + random() * 2000);
        target.daemon = startDaemon('vrrpd', target.host, configFor(target.name));
        await record(kind, target.name, 'restarted', START_ALLOWANCE_MS + worstMdi + MARGIN_MS);
      }
      await sleep(200 + random() * 1500);
      if (++faults % 10 === 0) options.log(`  ${((performance.now() - started) / 60_000).toFixed(1)} min, ${events.length} checks, ${events.filter((e) => e.violation).length} violations`);
    }
  } finally {
    await lab.destroy();
  }
  const violations = events.filter((e) => e.violation);
  const kinds = [...new Set(events.map((e) => `${e.kind}: ${e.phase}`))].sort();
  const rows = kinds.map((k) => {
    const of = events.filter((e) => `${e.kind}: ${e.phase}` === k);
    const ok = of.filter((e) => !e.violation).map((e) => e.convergedMs);
    return [k, String(of.length), fmt(median(ok)), fmt(p99(ok)), fmt(max(ok)), fmt(of[0]!.boundMs), String(of.length - ok.length)];
  });
  return {
    name: 'soak',
    title: `Soak: 3 vrrpd routers, 2 VIPs (v3, ${ADVERT_S * 1000} ms adverts), ${minutes} min of seeded random faults (seed ${seed}); time until each VIP is on exactly the right router`,
    text:
      table(['event: after', 'checks', 'converged median ms', 'p99 ms', 'max ms', 'bound ms', 'violations (vrrpd)'], rows) +
      `\n\n${events.length} checks, ${violations.length} violations.` +
      (violations.length > 0 ? '\n\n' + violations.slice(0, 20).map((v) => `- at ${v.atS.toFixed(1)} s, ${v.kind} of ${v.router} (${v.phase}): ${v.violation}`).join('\n') : ''),
    data: { seed, minutes, events },
  };
}

async function masterOf(routers: readonly Router[], vip: string): Promise<Router | undefined> {
  for (const r of routers) if (r.daemon && (await holds(r.host, vip))) return r;
  return undefined;
}

/** Which router should hold each VIP: the highest priority among running routers with carrier. */
function expected(routers: readonly Router[], v: (typeof VIPS)[number]): Name | undefined {
  const eligible = routers.filter((r) => r.daemon && r.carrier).sort((x, y) => v.priorities[y.name] - v.priorities[x.name]);
  return eligible[0]?.name;
}

async function check(routers: readonly Router[], phase: string, boundMs: number, kind: EventKind, router: Name, started: number, events: SoakEvent[]): Promise<void> {
  const from = performance.now();
  let state = '';
  const converged = await poll(
    async () => {
      const parts: string[] = [];
      let good = true;
      for (const v of VIPS) {
        // A crashed router's namespace keeps what SIGKILL left; it is dead, so it does not count.
        const on: Name[] = [];
        for (const r of routers) if (r.daemon && (await holds(r.host, v.vip))) on.push(r.name);
        const want = expected(routers, v);
        parts.push(`${v.vip} on [${on.join(',')}] (want ${want ?? 'none'})`);
        if (want === undefined ? on.length !== 0 : on.length !== 1 || on[0] !== want) good = false;
      }
      state = parts.join('; ');
      return good;
    },
    boundMs,
    20,
  );
  const took = performance.now() - from;
  events.push({ atS: (from - started) / 1000, kind, router, phase, convergedMs: took, boundMs, ...(converged ? {} : { violation: `not converged within ${boundMs.toFixed(0)} ms: ${state}` }) });
}
