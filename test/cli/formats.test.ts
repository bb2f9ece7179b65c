// The executable with YAML files, `convert` and `ipfailover --print`: output and exit codes as an
// operator (or a Kubernetes init container) sees them.
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const corpus = join(import.meta.dirname, '..', 'config', 'keepalived', 'corpus');
const dir = scratchDir('formats');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(vrrpd, args, { env: { PATH: process.env['PATH'] ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('YAML files', () => {
  test('check: detection is a warning off the host, a typo a warning with the nearest key, a bad value an error', async () => {
    const file = join(dir, 'edge.yml');
    writeFileSync(file, 'vrrpInstances:\n  - id: 1\n    interface: {detectionStrategy: DefaultRoute}\n    priorty: 90\n    priority: 0\n    virtualIPAddresses: [192.0.2.1/32]\n');
    expect(await run(['check', '--offline', '-f', file])).toEqual({
      code: 1,
      stdout: [
        `${file}:3:36: warning: interface detection (the interface of the IPv4 default route) happens when vrrpd starts on the host; not checked here`,
        `${file}:4:5: warning: unknown key "priorty" in vrrpInstances[0] (did you mean priority?); ignored`,
        `${file}:5:15: error: priority "0" is not valid: expected a whole number 1..255`,
        `${file}: 1 error, 2 warnings`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  test('convert to YAML and back gives a file check accepts, with the same instances', async () => {
    const yaml = await run(['convert', '-f', join(corpus, 'gateway-lan-wan.conf')]);
    expect(yaml.code).toBe(0);
    const yamlFile = join(dir, 'gateway.yaml');
    writeFileSync(yamlFile, yaml.stdout);
    expect(await run(['check', '--offline', '-f', yamlFile])).toEqual({ code: 0, stdout: `${yamlFile}: OK, 2 vrrp_instances\n`, stderr: '' });
    const conf = await run(['convert', '-f', yamlFile]);
    const confFile = join(dir, 'gateway.conf');
    writeFileSync(confFile, conf.stdout);
    expect(await run(['check', '--offline', '-f', confFile])).toEqual({ code: 0, stdout: `${confFile}: OK, 2 vrrp_instances\n`, stderr: '' });
  });

  test('BFD: check counts the bfd_instances; convert to YAML and back keeps them (and the track_bfd entries)', async () => {
    const source = join(corpus, 'bfd-upstream.conf');
    expect(await run(['check', '--offline', '-f', source])).toEqual({ code: 0, stdout: `${source}: OK, 2 vrrp_instances, 3 bfd_instances\n`, stderr: '' });
    const yaml = await run(['convert', '-f', source]);
    expect(yaml.stdout).toContain('bfdInstances:\n  upstream_v4:\n    neighborIp: 192.0.2.254\n');
    expect(yaml.stdout).toContain('    trackBfd:\n      - upstream_v4\n');
    const yamlFile = join(dir, 'bfd.yaml');
    writeFileSync(yamlFile, yaml.stdout);
    expect(await run(['check', '--offline', '-f', yamlFile])).toEqual({ code: 0, stdout: `${yamlFile}: OK, 2 vrrp_instances, 3 bfd_instances\n`, stderr: '' });
    const conf = await run(['convert', '-f', yamlFile]);
    expect(conf.stdout).toContain('bfd_instance far_site {\n');
    const confFile = join(dir, 'bfd.conf');
    writeFileSync(confFile, conf.stdout);
    expect(await run(['check', '--offline', '-f', confFile])).toEqual({ code: 0, stdout: `${confFile}: OK, 2 vrrp_instances, 3 bfd_instances\n`, stderr: '' });
  });

  test('convert --to something else is a usage error, exit 2', async () => {
    expect(await run(['convert', '-f', join(corpus, 'use-vmac.conf'), '--to', 'json'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'vrrpd: --to: "json" is not a format: expected yaml or keepalived\n',
    });
  });
});

describe('vrrpd ipfailover', () => {
  test('bad variables: one line each, exit 1, nothing started', async () => {
    expect(await run(['ipfailover', '--print'], { OPENSHIFT_HA_VIRTUAL_IPS: '192.0.2.1-0', OPENSHIFT_HA_REPLICA_COUNT: 'many' })).toEqual({
      code: 1,
      stdout: '',
      stderr: [
        'vrrpd ipfailover: OPENSHIFT_HA_VIRTUAL_IPS: "192.0.2.1-0": the range ends before it starts',
        'vrrpd ipfailover: OPENSHIFT_HA_REPLICA_COUNT: "many" is not valid: expected a whole number of replicas, 1..255',
        '',
      ].join('\n'),
    });
  });
});
