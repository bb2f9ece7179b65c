// Start-up: process start (spawn) to the first advertisement and the first gratuitous ARP on the
// wire. The instance is the address owner (priority 255), which RFC 5798 §6.4.1 sends straight to
// Master, so no Master_Down_Interval wait is included: this is the daemons' own start cost.
// `node -e 0` started the same way in the same namespace, spawn to exit, is Node's own start-up:
// the floor under vrrpd's (issue 16's goal is 1.3x it), measured in the same run because it
// moves with the machine's load.
import { IMPLEMENTATIONS, keepalivedConf, killDaemon, nowEpochMs, sleep, startDaemon, type Implementation } from './lib/daemons.js';
import type { LabHost } from '../test/helpers/netns.js';
import { captureVrrpAndArp, macOf, newLab } from './lib/lab.js';
import type { BenchOptions, BenchReport } from './lib/report.js';
import { fmt, median, p99, ratio, table } from './lib/stats.js';
import { readWire } from './lib/wire.js';

const VIP = '192.0.2.100';

export interface StartupTrial {
  readonly implementation: Implementation;
  readonly firstAdvertMs: number;
  readonly firstGarpMs: number;
}

/** Spawn to exit of `node -e 0` in the lab host's namespace (ms). */
async function nodeFloorMs(host: LabHost): Promise<number> {
  const startedAt = nowEpochMs();
  const child = host.spawn('node', ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  return nowEpochMs() - startedAt;
}

export async function startupBench(options: BenchOptions): Promise<BenchReport> {
  const trials = options.trials ?? { full: 10, quick: 5, tiny: 1 }[options.mode];
  const lab = await newLab();
  const results: StartupTrial[] = [];
  const floor: number[] = [];
  try {
    const d = await lab.addHost('d', ['192.0.2.1/24']);
    const obs = await lab.addHost('obs', ['192.0.2.9/24']);
    const mac = await macOf(d);
    const conf = keepalivedConf([{ name: 'VI_1', interfaceName: 'eth0', vrid: 51, priority: 255, version: 3, advertIntS: 1, vips: [`${VIP}/24`] }]);
    const capture = await captureVrrpAndArp(obs);
    const starts: Array<{ implementation: Implementation; at: number }> = [];
    for (let i = 0; i < trials; i++) {
      floor.push(await nodeFloorMs(d));
      for (const implementation of IMPLEMENTATIONS) {
        const daemon = startDaemon(implementation, d, conf);
        starts.push({ implementation, at: daemon.startedAtEpochMs });
        await sleep(2500);
        await killDaemon(daemon);
        await d.ip('addr', 'del', `${VIP}/24`, 'dev', 'eth0').catch(() => undefined);
        await sleep(300);
      }
    }
    await capture.stop();
    const wire = readWire(capture.file);
    for (const s of starts) {
      const advert = wire.adverts.find((a) => a.t > s.at && a.source === '192.0.2.1');
      const garp = wire.garps.find((g) => g.t > s.at && g.mac === mac && g.address === VIP);
      results.push({ implementation: s.implementation, firstAdvertMs: advert ? advert.t - s.at : Number.NaN, firstGarpMs: garp ? garp.t - s.at : Number.NaN });
    }
  } finally {
    await lab.destroy();
  }
  const of = (impl: Implementation, key: 'firstAdvertMs' | 'firstGarpMs'): number[] =>
    results.filter((r) => r.implementation === impl && Number.isFinite(r[key])).map((r) => r[key]);
  const rows = (['firstAdvertMs', 'firstGarpMs'] as const).map((key) => {
    const v = of('vrrpd', key);
    const k = of('keepalived', key);
    return [key === 'firstAdvertMs' ? 'first advertisement' : 'first gratuitous ARP', fmt(median(v)), fmt(p99(v)), fmt(median(k)), fmt(p99(k)), ratio(median(v), median(k)), ratio(median(v), median(floor)), `${v.length}/${k.length}`];
  });
  rows.push(['exit of `node -e 0`', fmt(median(floor)), fmt(p99(floor)), '', '', '', '1.00', `${floor.length}`]);
  return {
    name: 'startup',
    title: 'Start-up: spawn to first packet on the wire, address owner (priority 255), v3, 1 s (ms)',
    text: table(['from spawn to', 'vrrpd median', 'vrrpd p99', 'keepalived median', 'keepalived p99', 'ratio median', 'vrrpd / node -e 0', 'n'], rows),
    data: { trials: results, nodeFloorMs: floor },
  };
}
