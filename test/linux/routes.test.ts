// virtual_routes / virtual_rules on a real kernel: a vrrpd Master installs its routes (IPv4 via a
// gateway with the VIP as src, so the VIP must be there first; an IPv6 blackhole) and a rule
// after its VIP; SIGTERM removes them; after SIGKILL they stay and the next start removes them.
// Routes and rules vrrpd did not add (same destination in another table, a rule with the same
// selector) are never touched. keepalived 2.2.7 installs the same routes and rule from the same
// configuration (only the protocol number differs).
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, test } from 'vitest';
import { holds, instanceConfig, startKeepalived, startVrrpd, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const VIP = '192.0.2.100';
const haveKeepalived = spawnSync('keepalived', ['--version'], { stdio: 'ignore' }).status === 0;

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

const withRoutes = instanceConfig({
  priority: 150,
  version: 3,
  vip: `${VIP}/24`,
  extra: [
    '  virtual_routes {',
    `    src ${VIP} 198.51.100.0/24 via 192.0.2.254 dev eth0 table 100 metric 5`,
    '    blackhole 2001:db8:100::/48 table 100',
    '  }',
    '  virtual_rules {',
    `    from ${VIP} table 100 priority 100`,
    '  }',
  ].join('\n'),
});

async function show(host: LabHost, ...args: string[]): Promise<string[]> {
  // An IPv6 table that never had a route does not exist yet: empty, for this test.
  const result = await host.ip(...args).catch((error: Error) => {
    if (error.message.includes('FIB table does not exist')) return { stdout: '' };
    throw error;
  });
  return result.stdout
    .split('\n')
    .map((line) => line.trim().replace(/\s+/g, ' '))
    .filter(Boolean);
}

/** vrrpd's routes of table 100 (both families) and its rule, as `ip` prints them. */
async function installed(host: LabHost): Promise<{ routes: string[]; rules: string[] }> {
  const routes = [...(await show(host, 'route', 'show', 'table', '100')), ...(await show(host, '-6', 'route', 'show', 'table', '100'))];
  const rules = (await show(host, 'rule', 'show')).filter((line) => line.includes('lookup 100'));
  return { routes, rules };
}

describe.skipIf(!isRoot())('virtual_routes and virtual_rules (needs root)', () => {
  test('installed as Master after the VIP, removed on SIGTERM, left by SIGKILL and removed by the restart; others\' never touched', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    // Someone else's: the same destination in table 200, and a rule with the same selector.
    await a.ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.254', 'dev', 'eth0', 'table', '200');
    await a.ip('rule', 'add', 'from', VIP, 'table', '200', 'priority', '200');
    const foreign = async (): Promise<{ routes: string[]; rules: string[] }> => ({
      routes: await show(a, 'route', 'show', 'table', '200'),
      rules: (await show(a, 'rule', 'show')).filter((line) => line.includes('lookup 200')),
    });
    const theirs = await foreign();
    expect(theirs).toEqual({ routes: ['198.51.100.0/24 via 192.0.2.254 dev eth0'], rules: [`200: from ${VIP} lookup 200`] });

    const first = startVrrpd(a, withRoutes);
    await waitFor('the VIP and then the routes and rule', async () => (await holds(a, VIP)) && (await installed(a)).rules.length === 1, 8000);
    const expected = {
      routes: [expect.stringMatching(/^198\.51\.100\.0\/24 via 192\.0\.2\.254 dev eth0 proto \S+ src 192\.0\.2\.100 metric 5/), expect.stringMatching(/^blackhole 2001:db8:100::\/48 (dev lo )?proto \S+ metric 1024/)],
      rules: [expect.stringMatching(new RegExp(`^100: from ${VIP.replace(/\./g, '\\.')} lookup 100 proto \\S+`))],
    };
    await waitFor('both routes', async () => (await installed(a)).routes.length === 2, 2000);
    expect(await installed(a)).toEqual(expected);
    // One log line per kind of change, after the addresses.
    const events = first.lines.map((line) => (JSON.parse(line) as { event?: string }).event).filter((event) => event?.match(/^(addresses|routes|rules)-added$/));
    expect(events).toEqual(['addresses-added', 'routes-added', 'rules-added']);

    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(await installed(a)).toEqual({ routes: [], rules: [] });
    expect(await holds(a, VIP)).toBe(false);
    expect(await foreign()).toEqual(theirs);

    startVrrpd(a, withRoutes);
    await waitFor('the routes again', async () => (await installed(a)).routes.length === 2 && (await installed(a)).rules.length === 1, 8000);
    await a.crash();
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Nobody removed them: the kernel keeps what a killed process added.
    expect(await installed(a)).toEqual(expected);

    // The restart (here with a configuration without routes) removes exactly what vrrpd left.
    const restarted = startVrrpd(a, instanceConfig({ priority: 150, version: 3, vip: `${VIP}/24` }));
    await waitFor('the restart to clean up', async () => restarted.lines.some((line) => line.includes('stale-routes-removed')), 8000);
    expect(await installed(a)).toEqual({ routes: [], rules: [] });
    expect(await foreign()).toEqual(theirs);
    const cleanup = JSON.parse(restarted.lines.find((line) => line.includes('stale-routes-removed'))!) as { routes: string[] };
    expect(cleanup.routes.sort()).toEqual([`rule from ${VIP} priority 100 table 100`, 'route 198.51.100.0/24 table 100', 'route 2001:db8:100::/48 table 100'].sort());
    await waitFor('the restarted vrrpd to become Master', () => holds(a, VIP), 8000);
    expect(await installed(a)).toEqual({ routes: [], rules: [] });
  });

  test('a route someone else put in the same table with the same destination is reported, not taken over, and left on SIGTERM', { timeout: 40_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    await a.ip('route', 'add', '198.51.100.0/24', 'via', '192.0.2.254', 'dev', 'eth0', 'table', '100', 'metric', '5');
    const vrrpd = startVrrpd(a, withRoutes);
    await waitFor('the rule (after the routes)', async () => (await installed(a)).rules.length === 1, 8000);
    const failure = vrrpd.lines.map((line) => JSON.parse(line) as { event?: string; error?: string }).find((record) => record.event === 'route-change-failed');
    const text = `src ${VIP} 198.51.100.0/24 via 192.0.2.254 dev eth0 table 100 metric 5`;
    expect(failure?.error).toBe(`route ${text}: route ${text} is already there, added by someone else; vrrpd leaves it alone`);
    vrrpd.process.kill('SIGTERM');
    expect(await vrrpd.exited).toBe(0);
    // Theirs stays (no vrrpd protocol tag: `ip route` prints no proto for a boot route); vrrpd's rule and blackhole are gone.
    expect(await installed(a)).toEqual({ routes: ['198.51.100.0/24 via 192.0.2.254 dev eth0 metric 5'], rules: [] });
  });
});

describe.skipIf(!isRoot() || !haveKeepalived)('the same virtual_routes / virtual_rules as keepalived (needs root and keepalived)', () => {
  test('keepalived 2.2.7 and vrrpd install the same routes and rule from one configuration, and both remove them on SIGTERM', { timeout: 60_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    // Only the protocol differs (keepalived's own, vrrpd's own).
    const normalised = async (): Promise<{ routes: string[]; rules: string[] }> => {
      const { routes, rules } = await installed(a);
      const strip = (line: string): string => line.replace(/ proto \S+/, '');
      return { routes: routes.map(strip), rules: rules.map(strip) };
    };
    const complete = async (): Promise<boolean> => {
      const { routes, rules } = await installed(a);
      return routes.length === 2 && rules.length === 1;
    };

    const keepalived = startKeepalived(a, withRoutes);
    await waitFor('keepalived to install the routes and rule', complete, 10_000);
    const byKeepalived = await normalised();
    keepalived.process.kill('SIGTERM');
    await keepalived.exited;
    expect(await installed(a)).toEqual({ routes: [], rules: [] });

    const vrrpd = startVrrpd(a, withRoutes);
    await waitFor('vrrpd to install the routes and rule', complete, 10_000);
    expect(await normalised()).toEqual(byKeepalived);
    console.info(`keepalived and vrrpd both install: ${[...byKeepalived.routes, ...byKeepalived.rules].join(' | ')}`);
    vrrpd.process.kill('SIGTERM');
    expect(await vrrpd.exited).toBe(0);
    expect(await installed(a)).toEqual({ routes: [], rules: [] });
  });
});
