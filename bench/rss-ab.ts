// RSS A/B of vrrpd builds, alternated in one run: `node bench/.build/bench/rss-ab.js ROOT... [--rounds N]
// [--instances N] [--seconds S] [--every S]`. For each round, each ROOT (a built checkout) in turn runs
// the memory bench's pair (Master and Backup of the scale layout) and its RSS is read every few
// seconds; printed: each sample, the settled median (last third), CPU over the last third, and how
// many instances of the Backup ever became Master (a start-up race: the pair starts together).
// `--master-delay S` starts the Backup alone and the Master S seconds later (a Backup after a
// takeover and give-back). Environment: VRRPD_TEST_HOOKS=1 prints V8's heap spaces at the end,
// with RSS_AB_GC=1 also one full collection (the test-gc hook) and the readings after it;
// RSS_AB_NODE_ARGS passes node options (e.g. --trace-gc) and prints the daemons' non-JSON output.
// Needs root (a namespace lab, as the benches).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { control, type BenchDaemon, keepalivedConf, killDaemon, namespacePids, sleep, startDaemon } from './lib/daemons.js';
import type { LabHost } from '../test/helpers/netns.js';
import { removeScratchDirs } from '../test/helpers/scratch.js';
import { median } from './lib/stats.js';
import { instances, namespaceUsage, resetHosts, scaleLab, startPair, type DaemonPair, type Layout } from './scale.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '3' }, instances: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '60' }, every: { type: 'string', default: '5' }, 'master-delay': { type: 'string', default: '0' } },
});
const rounds = Number(values.rounds);
const layout: Layout = { label: 'ab', instances: Number(values.instances), vipsPerInstance: 1 };
const seconds = Number(values.seconds);
const every = Number(values.every);
/** --master-delay S: the Backup starts alone and becomes Master of every instance, the Master S seconds later (a Backup after a takeover and a give-back). */
const masterDelayS = Number(values['master-delay']);
/** RSS_AB_NODE_ARGS: node options for both daemons (e.g. --trace-gc), printed from the logs. */
const nodeArgs = (process.env['RSS_AB_NODE_ARGS'] ?? '').split(' ').filter(Boolean);

const { lab, d, p } = await scaleLab();
const results = new Map<string, Array<{ master: number; backup: number; masterCpu: number; backupCpu: number; backupMasters: number }>>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const root of round % 2 === 0 ? positionals : [...positionals].reverse()) {
      process.env['VRRPD_BENCH_DAEMON_ROOT'] = root;
      const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
      const pair = masterDelayS > 0 || nodeArgs.length > 0 ? await delayedPair(layout, d, p, masterDelayS) : startPair(layout, 'vrrpd', d, p);
      const started = performance.now();
      const samples: Array<{ atS: number; master: number; backup: number; mt: number; bt: number }> = [];
      try {
        for (let atS = every; atS <= seconds; atS += every) {
          await sleep(Math.max(0, started + atS * 1000 - performance.now()));
          const [m, b] = await Promise.all([namespaceUsage(d), namespaceUsage(p)]);
          samples.push({ atS, master: m.rssKb / 1024, backup: b.rssKb / 1024, mt: m.ticks, bt: b.ticks });
        }
        console.log(`  smaps M ${await smaps(d)}`);
        console.log(`  smaps B ${await smaps(p)}`);
        if (process.env['VRRPD_TEST_HOOKS'] === '1') {
          await heapOf(pair);
          if (process.env['RSS_AB_GC'] === '1') {
            for (const daemon of [pair.master, pair.backup]) {
              const response = await control(daemon, 'test-gc');
              console.log(`  full collection ${daemon === pair.master ? 'M' : 'B'}: ${JSON.stringify(response.ok ? response.result : response.error)}`);
            }
            await sleep(3000);
            const [m, b] = await Promise.all([namespaceUsage(d), namespaceUsage(p)]);
            console.log(`  after it: M ${(m.rssKb / 1024).toFixed(1)} B ${(b.rssKb / 1024).toFixed(1)} MB`);
            await heapOf(pair);
          }
        }
      } finally {
        await pair.stop();
      }
      const lines = pair.backup.lines;
      const backupMasters = new Set(lines.filter((l) => l.includes('"to":"Master"')).map((l) => /"instance":"([^"]+)"/.exec(l)?.[1])).size;
      if (nodeArgs.length > 0) for (const [label, daemon] of [['M', pair.master], ['B', pair.backup]] as const) for (const line of daemon.lines.filter((l) => !l.startsWith('{'))) console.log(`  ${label} ${line}`);
      const tail = samples.slice(Math.floor((samples.length * 2) / 3));
      const spanS = tail.length > 1 ? tail.at(-1)!.atS - tail[0]!.atS : 1;
      const cpu = (of: 'mt' | 'bt'): number => (tail.length > 1 ? (tail.at(-1)![of] - tail[0]![of]) / spanS : Number.NaN);
      const figures = { master: median(tail.map((s) => s.master)), backup: median(tail.map((s) => s.backup)), masterCpu: cpu('mt'), backupCpu: cpu('bt'), backupMasters };
      (results.get(root) ?? results.set(root, []).get(root)!).push(figures);
      console.log(`round ${round} ${root} load ${load}`);
      console.log(`  M ${samples.map((s) => s.master.toFixed(1)).join(' ')}`);
      console.log(`  B ${samples.map((s) => s.backup.toFixed(1)).join(' ')}`);
      console.log(`  settled M ${figures.master.toFixed(1)} B ${figures.backup.toFixed(1)} MB; CPU % M ${figures.masterCpu.toFixed(2)} B ${figures.backupCpu.toFixed(2)}; Backup instances that became Master: ${backupMasters}`);
    }
  }
} finally {
  await lab.destroy();
  removeScratchDirs();
}
for (const [root, runs] of results) {
  const med = (f: (r: (typeof runs)[number]) => number): string => median(runs.map(f)).toFixed(2);
  console.log(`${root}: median settled M ${med((r) => r.master)} B ${med((r) => r.backup)} MB; CPU % M ${med((r) => r.masterCpu)} B ${med((r) => r.backupCpu)} (n=${runs.length})`);
}

/** Rss of the host's processes by mapping: the node binary, other files, [heap], anonymous, and the thread count. */
async function smaps(host: LabHost): Promise<string> {
  const kb = { node: 0, files: 0, heap: 0, anon: 0, anonMaps: 0, threads: 0 };
  for (const pid of await namespacePids(host)) {
    try {
      let name = '';
      for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
        const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
        if (head) {
          name = head[1] ?? '';
          continue;
        }
        const rss = /^Rss:\s+(\d+)/.exec(line);
        if (!rss) continue;
        const n = Number(rss[1]);
        if (name === '[heap]') kb.heap += n;
        else if (name === '') {
          kb.anon += n;
          if (n > 0) kb.anonMaps++;
        } else if (/\/node$/.test(name)) kb.node += n;
        else kb.files += n;
      }
      kb.threads += Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // exited
    }
  }
  const mb = (n: number): string => (n / 1024).toFixed(1);
  return `node ${mb(kb.node)} files ${mb(kb.files)} [heap] ${mb(kb.heap)} anon ${mb(kb.anon)} (${kb.anonMaps} maps) threads ${kb.threads}`;
}

/** startPair's pair, the Backup started first and the Master `delayS` later. */
async function delayedPair(layout: Layout, d: LabHost, p: LabHost, delayS: number): Promise<DaemonPair> {
  const start = (host: LabHost, priority: number): BenchDaemon => startDaemon('vrrpd', host, keepalivedConf(instances(layout, priority)), {}, nodeArgs);
  const backup = start(p, 100);
  await sleep(delayS * 1000);
  const master = start(d, 150);
  return {
    master,
    backup,
    masterHoldsAll: () => Promise.resolve(true),
    stop: async () => {
      await killDaemon(master);
      await killDaemon(backup);
      await resetHosts(d, p);
    },
  };
}

async function heapOf(pair: DaemonPair): Promise<void> {
  for (const daemon of [pair.master, pair.backup]) {
    const response = await control(daemon, 'test-memory');
    if (!response.ok) continue;
    const memory = response.result as { spaces: Array<{ name: string; size: number; used: number }> } & Record<string, unknown>;
    const mb = (n: unknown): string => (Number(n) / 1048576).toFixed(1);
    console.log(`  heap ${daemon === pair.master ? 'M' : 'B'} rss ${mb(memory['rss'])} total ${mb(memory['heapTotal'])} used ${mb(memory['heapUsed'])} external ${mb(memory['external'])}; ${memory.spaces.filter((s) => s.size > 0).map((s) => `${s.name.replace('_space', '')} ${mb(s.size)}/${mb(s.used)}`).join(', ')}`);
  }
}
