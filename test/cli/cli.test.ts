// The real executable, as an operator runs it: output and exit codes.
import { execFile } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { KUBE_KEEPALIVED_VIP } from '../helpers/kube-keepalived-vip.js';
import { scratchDir } from '../helpers/scratch.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const corpus = join(import.meta.dirname, '..', 'config', 'keepalived', 'corpus');
const dir = scratchDir('cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(vrrpd, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('vrrpd check', () => {
  test('an interface this host does not have: a warning by default, nothing with --offline, an error with --host, as vrrpd run refuses it', async () => {
    const file = join(dir, 'missing-interface.conf');
    writeFileSync(file, 'vrrp_instance X {\n interface nosuch0\n virtual_router_id 51\n version 3\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n');
    expect(await run('check', '-f', file)).toEqual({
      code: 0,
      stdout: `${file}:2:12: warning: interface nosuch0 does not exist on this host\n${file}: OK, 1 vrrp_instance, 1 warning\n`,
      stderr: '',
    });
    expect(await run('check', '--offline', '-f', file)).toEqual({ code: 0, stdout: `${file}: OK, 1 vrrp_instance\n`, stderr: '' });
    expect(await run('check', '--offline', '--host', '-f', file)).toMatchObject({ code: 2, stderr: 'vrrpd: --host and --offline contradict each other: give one\n' });
    expect(await run('check', '--host', '-f', file)).toEqual({
      code: 1,
      stdout: `${file}:2:12: error: interface nosuch0 does not exist on this host\n${file}: 1 error, 0 warnings\n`,
      stderr: '',
    });
    const started = await run('run', '-f', file, '--control-socket', join(dir, 'never.sock'));
    expect(started).toMatchObject({ code: 1, stderr: `${file}:2:12: error: interface nosuch0 does not exist on this host\nvrrpd: ${file} has errors; not started\n` });
  });

  test('a vrrp_script that runs curl gets a note with the built-in checker doing the same; still OK and exit 0', async () => {
    const file = join(dir, 'curl-check.conf');
    writeFileSync(
      file,
      'vrrp_script chk_kubelet {\n  script "/usr/bin/curl -sf http://127.0.0.1:10248/healthz"\n  interval 1\n}\n' +
        'vrrp_instance X {\n interface eth0\n virtual_router_id 51\n track_script {\n  chk_kubelet\n }\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n',
    );
    const { code, stdout } = await run('check', '--offline', '-f', file);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^${file}:\\d+:\\d+: note: vrrp_script chk_kubelet starts curl every 1 s; the built-in HTTP_GET does the same check inside vrrpd, with no process per run\\. In place of the script line:\n    HTTP_GET \\{\n`));
    expect(stdout).toContain('            path /healthz\n            status_code 100-399\n');
    expect(stdout.endsWith(`${file}: OK, 1 vrrp_instance, 1 note\n`)).toBe(true);
  });

  test('a valid file: OK and exit 0', async () => {
    expect(await run('check', '--offline', '-f', join(corpus, 'ipv6-unicast.conf'))).toEqual({
      code: 0,
      stdout: `${join(corpus, 'ipv6-unicast.conf')}: OK, 1 vrrp_instance\n`,
      stderr: '',
    });
  });

  test("kube-keepalived-vip's file: OK with its virtual server counted; with HTTP_GET checkers too; an HTTP_GET without a url is an error at its line", async () => {
    const file = join(dir, 'kube.conf');
    writeFileSync(file, KUBE_KEEPALIVED_VIP);
    expect(await run('check', '--offline', '-f', file)).toEqual({
      code: 0,
      stdout: `${file}:4:3: warning: vrrp_iptables: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)\n${file}: OK, 1 vrrp_instance, 1 virtual_server, 1 warning\n`,
      stderr: '',
    });
    expect(JSON.parse((await run('check', '--offline', '--json', '-f', file)).stdout)).toMatchObject({ ok: true, instances: ['vips'], virtualServers: ['[192.0.2.100]:tcp:80'] });
    const http = join(dir, 'http-get.conf');
    writeFileSync(http, KUBE_KEEPALIVED_VIP.replaceAll('TCP_CHECK {', 'HTTP_GET {\n      url {\n        path /healthz\n      }'));
    const checked = await run('check', '--offline', '-f', http);
    expect(checked.stdout).toContain(`${http}: OK, 1 vrrp_instance, 1 virtual_server, 1 warning`);
    const bare = join(dir, 'http-get-bare.conf');
    writeFileSync(bare, KUBE_KEEPALIVED_VIP.replaceAll('TCP_CHECK', 'HTTP_GET'));
    const refused = await run('check', '--offline', '-f', bare);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain(`${bare}:34:5: error: HTTP_GET needs a url { path ... } block: what to fetch`);
  });

  test('errors with file:line:column and exit 1; warnings listed', async () => {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'vrrp_instance X {\n interface eth0\n virtual_router_id 51\n priority 300\n nopreemt\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n');
    expect(await run('check', '--offline', '-f', file)).toEqual({
      code: 1,
      stdout: [
        `${file}:4:11: error: priority "300" is not valid: expected a whole number 1..255`,
        `${file}:5:2: warning: unknown keyword "nopreemt" (did you mean nopreempt?); ignored`,
        `${file}: 1 error, 1 warning`,
        '',
      ].join('\n'),
      stderr: '',
    });
  });

  test('--json gives the issues with their positions', async () => {
    const file = join(dir, 'bad2.conf');
    writeFileSync(file, 'vrrp_instance X {\n interface eth0\n virtual_router_id 999\n}\n');
    const { code, stdout } = await run('check', '--offline', '--json', '-f', file);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toEqual({
      ok: false,
      files: [file],
      instances: [],
      issues: [
        {
          severity: 'error',
          path: 'instances[X].virtualRouterId',
          message: 'virtual_router_id "999" is not valid: expected a whole number 1..255',
          location: { file, line: 3, column: 20 },
        },
      ],
    });
  });

  test('a missing file says so', async () => {
    expect(await run('check', '-f', join(dir, 'absent.conf'))).toMatchObject({ code: 1, stdout: expect.stringContaining('cannot read') });
  });

  test('a missing option is a usage error, exit 2', async () => {
    const result = await run('check');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '-f, --config <file>' not specified");
  });
});

describe('vrrpd simulate', () => {
  test('the demo prints the election and ends with one Master', async () => {
    const { code, stdout } = await run('simulate');
    expect(code).toBe(0);
    expect(stdout).toContain('r1/VI_1  Backup -> Master (master-down)');
    expect(stdout.trimEnd().split('\n').slice(-3)).toEqual([
      'r1/VI_1  Master priority 150 holds 192.0.2.100',
      'r2/VI_1  Backup priority 100 holds nothing',
      'r3/VI_1  Backup priority 50 holds nothing',
    ]);
  });

  test('a bad --show value is a usage error naming the valid ones', async () => {
    const result = await run('simulate', '--show', 'nonsense');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('vrrpd: --show: unknown kind "nonsense", expected some of transition, add-addresses, remove-addresses, announce-addresses, send-advertisement\n');
  });
});

describe('vrrpd reload and dump without a daemon', () => {
  test('specific errors and exit codes', async () => {
    expect(await run('reload', '--control-socket', '/nonexistent/x.sock')).toMatchObject({ code: 1, stderr: 'vrrpd: vrrpd is not running (no control socket at /nonexistent/x.sock)\n' });
    expect(await run('dump', '--control-socket', '/nonexistent/x.sock')).toMatchObject({ code: 2, stderr: 'vrrpd: give exactly one of --data, --stats, --json\n' });
    expect(await run('dump', '--json', '--stats', '--control-socket', '/nonexistent/x.sock')).toMatchObject({ code: 2 });
    expect(await run('run', '-f', '/nonexistent.conf', '--metrics', 'localhost')).toMatchObject({ code: 2, stderr: expect.stringContaining('vrrpd: --metrics: "localhost" is not ADDRESS:PORT') });
  });
});
