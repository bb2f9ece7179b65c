// The shipped alerting rules and dashboard against real daemons: Prometheus (Debian's package) in
// its own lab namespace scrapes three vrrpd (`vrrpd run --metrics`) over a management link and
// evaluates deploy/prometheus/vrrpd-alerts.yaml as shipped (the file itself, not a copy); the
// daemons run one virtual router on a second link whose interface is named differently on each
// host (lan0, vlan51, eth1), with their VIPs listed in different orders. Every metric the rules
// and the dashboard read is one the daemons export; every dashboard query runs in Prometheus and
// returns data. An nftables partition of the VRRP link makes two Masters: VrrpMultipleMasters goes
// pending, then firing once the rule's own `for:` has passed (the test waits it out, so it takes
// a little over that minute); a killed daemon fires VrrpdDown meanwhile; healing clears
// VrrpMultipleMasters and leaves VrrpdDown.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';
import { masterDownInterval } from '../../src/vrrp/protocol/timers.js';
import { holds } from '../../bench/lib/daemons.js';
import { waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sh, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { dashboardQueries, durationMs, metricNames, readDashboard, readRules, RULES_FILE, substituteGrafanaVariables } from './monitoring.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const VIPS = ['192.0.2.100', '192.0.2.101'];
const ADVERT_S = 0.2;
const PROMETHEUS = '198.51.100.9:9090';
/** Scrape and rule evaluation every second in this lab (Prometheus's defaults are 1 min). */
const INTERVAL_S = 1;
/** Slack for a loaded shared 2-core machine: a few scrape and evaluation rounds. */
const MARGIN_MS = 8000;

let lab: NamespaceLab | undefined;
let scratch: string | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

interface Router {
  readonly host: LabHost;
  /** Its address on the management link, where /metrics listens. */
  readonly management: string;
  /** The VRRP link's interface name on this host. */
  readonly link: string;
  readonly port: string;
}

function config(name: string, link: string, priority: number, vips: readonly string[]): string {
  return [
    `vrrp_instance ${name} {`,
    `  interface ${link}`,
    '  virtual_router_id 51',
    `  priority ${priority}`,
    `  advert_int ${ADVERT_S}`,
    '  version 3',
    `  track_interface {`,
    `    ${link}`,
    '  }',
    '  virtual_ipaddress {',
    ...vips.map((vip) => `    ${vip}/24`),
    '  }',
    '}',
    '',
  ].join('\n');
}

interface ApiAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly activeAt: string;
}

describe.skipIf(!isRoot())('Prometheus and the shipped rules and dashboard against real daemons (needs root)', () => {
  test('a partition makes two Masters: VrrpMultipleMasters fires through the API and clears on healing', { timeout: 240_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    scratch = scratchDir('prometheus');

    // Management link (br0): the daemons' metrics and Prometheus. VRRP link (br1): the virtual router.
    const routers: Router[] = [];
    const layout = [
      { name: 'a', iname: 'VI_LAN', link: 'lan0', priority: 150, vips: VIPS },
      { name: 'b', iname: 'lan', link: 'vlan51', priority: 120, vips: [...VIPS].reverse() },
      { name: 'c', iname: 'VI_1', link: 'eth1', priority: 100, vips: VIPS },
    ];
    for (const [i, spec] of layout.entries()) {
      const management = `198.51.100.${i + 1}`;
      const host = await lab.addHost(spec.name, [`${management}/24`]);
      const port = await lab.addInterface(host, spec.link, [`192.0.2.${i + 1}/24`]);
      routers.push({ host, management, link: spec.link, port });
      writeFileSync(join(scratch, `${spec.name}.conf`), config(spec.iname, spec.link, spec.priority, spec.vips));
    }
    const [a, b, c] = routers as [Router, Router, Router];
    const start = (router: Router): void =>
      void router.host.spawn('node', [vrrpd, 'run', '-f', join(scratch!, `${router.host.name}.conf`), '--control-socket', join(scratch!, `${router.host.name}.sock`), '--metrics', `${router.management}:9650`]);
    // a first, so that b and c join as Backups: a start-up race would add transitions (VrrpFlapping counts them).
    start(a);
    await waitFor('a to hold the VIPs', () => holds(a.host, VIPS[0]!, a.link), 15_000);
    start(b);
    start(c);

    const monitor = await lab.addHost('prometheus', [`${PROMETHEUS.split(':')[0]}/24`]);
    const prometheusConfig = join(scratch, 'prometheus.yml');
    writeFileSync(
      prometheusConfig,
      [
        'global:',
        `  scrape_interval: ${INTERVAL_S}s`,
        `  scrape_timeout: ${INTERVAL_S}s`,
        `  evaluation_interval: ${INTERVAL_S}s`,
        'rule_files:',
        `  - ${RULES_FILE}`,
        'scrape_configs:',
        '  - job_name: vrrpd',
        '    static_configs:',
        `      - targets: [${routers.map((router) => `'${router.management}:9650'`).join(', ')}]`,
        '',
      ].join('\n'),
    );
    const prometheus = monitor.spawn('prometheus', [
      `--config.file=${prometheusConfig}`,
      `--storage.tsdb.path=${join(scratch, 'data')}`,
      `--web.listen-address=${PROMETHEUS}`,
      '--log.level=warn',
    ]);
    const prometheusLog: string[] = [];
    prometheus.stderr?.on('data', (chunk: Buffer) => prometheusLog.push(chunk.toString()));

    // Prometheus's HTTP API is inside the lab: ask from the monitor's namespace.
    const api = async <T>(path: string, params: Record<string, string> = {}): Promise<T> => {
      const url = `http://${PROMETHEUS}${path}${Object.keys(params).length > 0 ? `?${new URLSearchParams(params).toString()}` : ''}`;
      const { stdout } = await monitor.exec('python3', ['-c', 'import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())', url]);
      const body = JSON.parse(stdout) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? body.status}`);
      return body.data;
    };
    const query = (expr: string) => api<{ resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> }>('/api/v1/query', { query: expr });
    const alerts = async (): Promise<ApiAlert[]> => (await api<{ alerts: ApiAlert[] }>('/api/v1/alerts')).alerts;
    const alertNamesSeen = new Set<string>();
    const named = async (name: string): Promise<ApiAlert[]> => {
      const all = await alerts();
      for (const alert of all) alertNamesSeen.add(alert.labels['alertname']!);
      return all.filter((alert) => alert.labels['alertname'] === name);
    };

    try {
      await waitFor('a to hold the VIPs alone', async () => (await holds(a.host, VIPS[0]!, a.link)) && !(await holds(b.host, VIPS[0]!, b.link)) && !(await holds(c.host, VIPS[0]!, c.link)), 15_000);
      await waitFor(
        'Prometheus to scrape all three daemons',
        async () => (await query('vrrpd_instance_state').catch(() => ({ result: [] }))).result.length === 3,
        30_000,
      );
      // One series per daemon, with the same identity whatever the interface and instance names.
      const states = (await query('vrrpd_instance_state')).result.map(({ metric, value }) => ({ instance: metric['instance'], intf: metric['intf'], vrid: metric['vrid'], family: metric['family'], vips: metric['vips'], state: value[1] }));
      expect(states.sort((x, y) => x.instance!.localeCompare(y.instance!))).toEqual([
        { instance: '198.51.100.1:9650', intf: 'lan0', vrid: '51', family: 'ipv4', vips: '192.0.2.100,192.0.2.101', state: '2' },
        { instance: '198.51.100.2:9650', intf: 'vlan51', vrid: '51', family: 'ipv4', vips: '192.0.2.100,192.0.2.101', state: '1' },
        { instance: '198.51.100.3:9650', intf: 'eth1', vrid: '51', family: 'ipv4', vips: '192.0.2.100,192.0.2.101', state: '1' },
      ]);

      // Every metric the rules and the dashboard read is one the daemons export (or Prometheus's
      // own: up, and ALERTS for the dashboard's alert table).
      const exported = new Set(await api<string[]>('/api/v1/label/__name__/values', { 'match[]': '{job="vrrpd"}' }));
      expect(exported).toContain('vrrpd_instance_state');
      const dashboard = readDashboard();
      const read = [...readRules().map((rule) => rule.expr), ...dashboardQueries(dashboard).map(({ target }) => target.expr), ...dashboard.templating.list.flatMap((v) => (v.type === 'query' && v.query ? [v.query] : []))].flatMap(metricNames);
      expect(new Set(read).size).toBeGreaterThanOrEqual(12);
      expect([...new Set(read)].filter((name) => !exported.has(name) && name !== 'ALERTS')).toEqual([]);

      // Every dashboard query runs and returns data (a query that keeps only values above a
      // threshold may rightly be empty; ALERTS is checked once alerts exist, below).
      const runQueries = async (which: (expr: string) => boolean): Promise<number> => {
        let ran = 0;
        for (const { panel, target } of dashboardQueries(dashboard)) {
          if (!which(target.expr)) continue;
          const expr = substituteGrafanaVariables(target.expr, dashboard, '10s', '5m');
          const { result } = await query(expr);
          if (!/(>|<|==|!=)\s*[\d.]+\s*$/.test(expr)) expect(result.length, `${panel.title}: ${expr}`).toBeGreaterThan(0);
          ran++;
        }
        return ran;
      };
      expect(await runQueries((expr) => !expr.includes('ALERTS'))).toBeGreaterThanOrEqual(10);
      await waitFor('no vrrpd alert pending or firing once elected', async () => (await alerts()).length === 0, 15_000);

      // Partition the VRRP link between a and b; c's vrrpd dies.
      const nft = (...args: string[]) => sh('ip', ['netns', 'exec', lab!.switchNetns, 'nft', ...args]);
      await nft('add', 'table', 'bridge', 'partition');
      await nft('add', 'chain', 'bridge', 'partition', 'forward', '{ type filter hook forward priority 0; }');
      await nft('add', 'rule', 'bridge', 'partition', 'forward', 'iifname', a.port, 'oifname', b.port, 'drop');
      await nft('add', 'rule', 'bridge', 'partition', 'forward', 'iifname', b.port, 'oifname', a.port, 'drop');
      c.host.killAll('SIGKILL');
      const splitAt = performance.now();
      await waitFor('b to take the VIPs too', () => holds(b.host, VIPS[0]!, b.link), masterDownInterval(3, 120, ADVERT_S * 1000) + MARGIN_MS);
      expect(await holds(a.host, VIPS[0]!, a.link)).toBe(true);

      const pendingAfter = await waitFor('VrrpMultipleMasters to be pending', async () => (await named('VrrpMultipleMasters')).length > 0, MARGIN_MS);
      const [pending] = await named('VrrpMultipleMasters');
      expect(pending!.labels).toEqual({ alertname: 'VrrpMultipleMasters', severity: 'critical', vrid: '51', family: 'ipv4', vips: '192.0.2.100,192.0.2.101' });
      expect(pending!.annotations['summary']).toBe('2 Masters for VRID 51 (ipv4 192.0.2.100,192.0.2.101)');
      expect(pending!.annotations['description']).toContain('Master on 198.51.100.1:9650 (lan0), 198.51.100.2:9650 (vlan51).');
      // The dashboard's alert table has rows now.
      expect(await runQueries((expr) => expr.includes('ALERTS'))).toBe(1);

      // Firing only once the shipped rule's for: has passed.
      const rules = new Map(readRules().map((rule) => [rule.alert, rule]));
      const holdMs = durationMs(rules.get('VrrpMultipleMasters')!.for!);
      expect(pending!.state).toBe('pending');
      const firingAfter = await waitFor('VrrpMultipleMasters to fire', async () => (await named('VrrpMultipleMasters'))[0]?.state === 'firing', holdMs + MARGIN_MS);
      expect(performance.now() - splitAt).toBeGreaterThanOrEqual(holdMs);
      await waitFor('VrrpdDown to fire for c', async () => (await named('VrrpdDown')).some((alert) => alert.state === 'firing' && alert.labels['instance'] === `${c.management}:9650`), durationMs(rules.get('VrrpdDown')!.for!) + MARGIN_MS);
      console.info(`partition: VrrpMultipleMasters pending ${(pendingAfter / 1000).toFixed(1)} s after b took over, firing ${((pendingAfter + firingAfter) / 1000).toFixed(1)} s after (for: ${holdMs / 1000} s)`);

      await nft('delete', 'table', 'bridge', 'partition');
      const clearedAfter = await waitFor('VrrpMultipleMasters to clear', async () => (await named('VrrpMultipleMasters')).length === 0, masterDownInterval(3, 120, ADVERT_S * 1000) + MARGIN_MS);
      console.info(`healed: VrrpMultipleMasters gone from the API ${(clearedAfter / 1000).toFixed(1)} s after`);
      expect(await holds(a.host, VIPS[0]!, a.link)).toBe(true);
      expect(await holds(b.host, VIPS[0]!, b.link)).toBe(false);
      // c is still dead: VrrpdDown stays; nothing else ever went off.
      expect((await alerts()).map((alert) => `${alert.labels['alertname']} ${alert.state}`)).toEqual(['VrrpdDown firing']);
      expect([...alertNamesSeen].sort()).toEqual(['VrrpMultipleMasters', 'VrrpdDown']);
    } catch (error) {
      if (prometheusLog.length > 0) console.error(`prometheus said:\n${prometheusLog.join('')}`);
      throw error;
    }
  });
});
