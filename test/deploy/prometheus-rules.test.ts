// deploy/prometheus/vrrpd-alerts.yaml passes `promtool check rules` and its unit tests
// (deploy/prometheus/vrrpd-alerts_test.yaml, `promtool test rules`), and a broken copy fails them.
// promtool comes with Debian's prometheus package (scripts/setup installs it); the rules running in
// a real Prometheus against real daemons are in test/deploy/monitoring-lab.test.ts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';

const dir = join(import.meta.dirname, '..', '..', 'deploy', 'prometheus');
const rules = join(dir, 'vrrpd-alerts.yaml');
const unitTests = join(dir, 'vrrpd-alerts_test.yaml');
const scratch = scratchDir('promtool');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error) throw new Error(`promtool: ${result.error.message} (scripts/setup installs Debian's prometheus package)`);
  return { status: result.status, output: (result.stdout + result.stderr).trim() };
}

/** A copy of the rules with one edit, beside a copy of the unit tests; returns the tests' path. */
function brokenCopy(from: string, to: string): string {
  const text = readFileSync(rules, 'utf8');
  expect(text).toContain(from);
  writeFileSync(join(scratch, 'vrrpd-alerts.yaml'), text.replace(from, to));
  copyFileSync(unitTests, join(scratch, 'vrrpd-alerts_test.yaml'));
  return join(scratch, 'vrrpd-alerts_test.yaml');
}

describe('Prometheus alerting rules', () => {
  test('promtool check rules: valid, with the alerts operators page on', () => {
    expect(promtool('check', 'rules', rules)).toEqual({ status: 0, output: `Checking ${rules}\n  SUCCESS: 6 rules found` });
    const names = [...readFileSync(rules, 'utf8').matchAll(/^\s+- alert: (\S+)$/gm)].map((match) => match[1]);
    expect(names).toEqual(['VrrpMultipleMasters', 'VrrpNoMaster', 'VrrpFlapping', 'VrrpTrackerFailing', 'VrrpAddressListMismatch', 'VrrpdDown']);
  });

  test('promtool test rules: every case of vrrpd-alerts_test.yaml passes', () => {
    expect(promtool('test', 'rules', unitTests)).toEqual({ status: 0, output: `Unit Testing:  ${unitTests}\n  SUCCESS` });
  });

  test('the unit tests can fail: grouping Masters by interface name misses a split whose hosts name the link differently', () => {
    const broken = brokenCopy('count by (cluster, vrid, family, vips) (vrrpd_instance_state == 2) > 1', 'count by (cluster, vrid, family, intf) (vrrpd_instance_state == 2) > 1');
    const result = promtool('test', 'rules', broken);
    expect(result.status).toBe(1);
    expect(result.output).toContain('alertname: VrrpMultipleMasters, time: 2m');
  });

  test('the unit tests can fail: counting Backups as "no Master" alerts while a keepalived peer is Master', () => {
    const broken = brokenCopy('vrrpd_instance_state == 1 or vrrpd_instance_state == 2', 'vrrpd_instance_state == 2');
    const result = promtool('test', 'rules', broken);
    expect(result.status).toBe(1);
    expect(result.output).toContain('vips="192.0.2.61", vrid="61"');
  });
});
