// Draws the failover-time distributions of bench/results/failover[-MODE].json as a hand-made SVG:
// one panel per scenario, a dot per trial (kill to the Backup's first gratuitous ARP), vrrpd above
// keepalived, medians as ticks, the protocol bound as a dashed line.
// `node bench/.build/bench/plot.js [results.json] [out.svg]`
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundMs, type FailoverScenario, type FailoverTrial } from './failover.js';
import { repoRoot } from './lib/root.js';
import { median } from './lib/stats.js';

const WIDTH = 760;
const PANEL = 96;
const LEFT = 120;
const RIGHT = 30;
const COLOURS = { vrrpd: '#1f77b4', keepalived: '#d62728' } as const;

export function failoverSvg(trials: readonly FailoverTrial[], subtitle: string): string {
  const keys = [...new Set(trials.map((t) => key(t.scenario)))];
  const height = 60 + keys.length * PANEL + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">Failover: kill of the Master to the Backup's first gratuitous ARP (ms)</text>`,
    `<text x="${WIDTH / 2}" y="40" text-anchor="middle" fill="#555">${escape(subtitle)}</text>`,
  ];
  keys.forEach((k, i) => {
    const of = trials.filter((t) => key(t.scenario) === k && Number.isFinite(t.garpMs));
    const scenario = of[0]?.scenario ?? trials.find((t) => key(t.scenario) === k)!.scenario;
    const bound = boundMs(scenario);
    const hi = Math.max(bound, ...of.map((t) => t.garpMs)) * 1.08;
    const lo = Math.min(0, ...of.map((t) => t.garpMs));
    const x = (ms: number): number => LEFT + ((ms - lo) / (hi - lo)) * (WIDTH - LEFT - RIGHT);
    const top = 60 + i * PANEL;
    out.push(`<text x="8" y="${top + 30}" font-weight="bold">${escape(k)}</text>`);
    out.push(`<line x1="${LEFT}" y1="${top + 62}" x2="${WIDTH - RIGHT}" y2="${top + 62}" stroke="#999"/>`);
    for (const tick of ticks(lo, hi)) {
      out.push(`<line x1="${x(tick)}" y1="${top + 62}" x2="${x(tick)}" y2="${top + 66}" stroke="#999"/>`);
      out.push(`<text x="${x(tick)}" y="${top + 78}" text-anchor="middle" fill="#555" font-size="10">${tick}</text>`);
    }
    out.push(`<line x1="${x(bound)}" y1="${top + 4}" x2="${x(bound)}" y2="${top + 62}" stroke="#2ca02c" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${x(bound) + 3}" y="${top + 12}" fill="#2ca02c" font-size="10">${scenario.kind === 'crash' ? 'Master_Down_Interval' : 'Skew_Time'} ${bound.toFixed(1)}</text>`);
    (['vrrpd', 'keepalived'] as const).forEach((impl, row) => {
      const y = top + 26 + row * 22;
      const samples = of.filter((t) => t.implementation === impl).map((t) => t.garpMs);
      out.push(`<text x="${LEFT - 6}" y="${y + 4}" text-anchor="end" fill="${COLOURS[impl]}">${impl}</text>`);
      for (const s of samples) out.push(`<circle cx="${x(s).toFixed(1)}" cy="${y}" r="3" fill="${COLOURS[impl]}" fill-opacity="0.45"/>`);
      if (samples.length > 0) out.push(`<line x1="${x(median(samples))}" y1="${y - 8}" x2="${x(median(samples))}" y2="${y + 8}" stroke="black" stroke-width="2"/>`);
    });
  });
  out.push(`<text x="${LEFT}" y="${height - 10}" fill="#555" font-size="10">dots: trials; black tick: median; dashed: the Backup's protocol bound (from the last advertisement, so a kill late in the period can finish earlier)</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function key(s: FailoverScenario): string {
  return `${s.kind === 'crash' ? 'SIGKILL' : 'SIGTERM'} @ ${s.advertIntS * 1000} ms`;
}

function ticks(lo: number, hi: number): number[] {
  const span = hi - lo;
  const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].find((s) => span / s <= 8) ?? 1000;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(t);
  return out;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const input = process.argv[2] ?? join(repoRoot(), 'bench', 'results', 'failover.json');
  const output = process.argv[3] ?? join(repoRoot(), 'bench', 'failover.svg');
  const saved = JSON.parse(readFileSync(input, 'utf8')) as { date: string; mode: string; machine: string; data: { trials: FailoverTrial[] } };
  writeFileSync(output, failoverSvg(saved.data.trials, `${saved.mode} run ${saved.date.slice(0, 16)}Z, ${saved.machine}, shared with other helpers' test runs`));
  process.stdout.write(`wrote ${output}\n`);
}
