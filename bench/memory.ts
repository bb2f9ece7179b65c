// Memory over time: the RSS of a Master and of a Backup (every process of the daemon, summed)
// every few seconds from start, for 1 and 1000 instances of the scale layout, vrrpd and
// keepalived in turn. One reading at one instant says little for a garbage-collected daemon:
// V8 lets its old generation fill with start-up's garbage until the memory reducer or a full
// collection runs (at 1000 instances 40-100 s after start), so the table gives the peak and the
// median of the last third of the run, the figure a pod's memory request has to cover and the
// one it settles at. Issue 16's goals: at most 3x keepalived with 1 instance, 5x with 1000.
import type { Implementation } from './lib/daemons.js';
import { IMPLEMENTATIONS, sleep } from './lib/daemons.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, median, ratio, table } from './lib/stats.js';
import { namespaceUsage, scaleLab, startPair, type Layout } from './scale.js';

const LAYOUTS: readonly Layout[] = [
  { label: '1 instance', instances: 1, vipsPerInstance: 1 },
  { label: '1000 instances', instances: 1000, vipsPerInstance: 1 },
];

interface MemoryRun {
  readonly implementation: Implementation;
  readonly layout: string;
  /** Seconds since the daemons started, and the RSS of each then (MB). */
  readonly samples: ReadonlyArray<{ readonly atS: number; readonly masterMb: number; readonly backupMb: number }>;
}

export async function memoryBench(options: BenchOptions): Promise<BenchReport> {
  const durationS = { full: 180, quick: 90, tiny: 10 }[options.mode];
  const everyS = options.mode === 'tiny' ? 2 : 5;
  const chosen = options.scenarios;
  const layouts = chosen ? LAYOUTS.filter((layout) => chosen.some((text) => layout.label.includes(text))) : LAYOUTS;
  const runs: MemoryRun[] = [];
  const { lab, d, p } = await scaleLab();
  try {
    for (const layout of layouts) {
      for (const implementation of IMPLEMENTATIONS) {
        options.log(`  ${layout.label}: ${implementation}`);
        const pair = startPair(layout, implementation, d, p);
        const started = performance.now();
        const samples: Array<MemoryRun['samples'][number]> = [];
        try {
          for (let atS = everyS; atS <= durationS; atS += everyS) {
            await sleep(Math.max(0, started + atS * 1000 - performance.now()));
            const [master, backup] = await Promise.all([namespaceUsage(d), namespaceUsage(p)]);
            samples.push({ atS, masterMb: master.rssKb / 1024, backupMb: backup.rssKb / 1024 });
          }
        } finally {
          await pair.stop();
        }
        runs.push({ implementation, layout: layout.label, samples });
      }
    }
  } finally {
    await lab.destroy();
  }
  const settled = (run: MemoryRun, of: 'masterMb' | 'backupMb'): number => median(run.samples.slice(Math.floor((run.samples.length * 2) / 3)).map((s) => s[of]));
  const peak = (run: MemoryRun, of: 'masterMb' | 'backupMb'): number => Math.max(...run.samples.map((s) => s[of]));
  const rows = runs.map((run) => [run.layout, run.implementation, fmt(peak(run, 'masterMb')), fmt(settled(run, 'masterMb')), fmt(peak(run, 'backupMb')), fmt(settled(run, 'backupMb'))]);
  const ratios = layouts.map((layout) => {
    const v = runs.find((r) => r.layout === layout.label && r.implementation === 'vrrpd');
    const k = runs.find((r) => r.layout === layout.label && r.implementation === 'keepalived');
    const of = (run: MemoryRun | undefined, f: (r: MemoryRun) => number): number => (run ? f(run) : Number.NaN);
    return [
      layout.label,
      ratio(of(v, (r) => peak(r, 'masterMb')), of(k, (r) => peak(r, 'masterMb'))),
      ratio(of(v, (r) => settled(r, 'masterMb')), of(k, (r) => settled(r, 'masterMb'))),
      ratio(of(v, (r) => peak(r, 'backupMb')), of(k, (r) => peak(r, 'backupMb'))),
      ratio(of(v, (r) => settled(r, 'backupMb')), of(k, (r) => settled(r, 'backupMb'))),
    ];
  });
  const series = runs.map((run) => `${run.layout}, ${run.implementation}, Master: ${run.samples.map((s) => fmt(s.masterMb, 0)).join(' ')}`).join('\n');
  return {
    name: 'memory',
    title: `Memory: RSS (MB, every process of the daemon) every ${everyS} s for ${durationS} s from start; peak, and median of the last third (settled)`,
    text:
      table(['layout', 'daemon', 'Master peak', 'Master settled', 'Backup peak', 'Backup settled'], rows) +
      '\n\nRatios vrrpd / keepalived:\n\n' +
      table(['layout', 'Master peak', 'Master settled', 'Backup peak', 'Backup settled'], ratios) +
      `\n\nThe Master's RSS every ${everyS} s:\n\n\`\`\`\n${series}\n\`\`\``,
    data: { runs },
  };
}
