// deploy/systemd/vrrpd.service passes `systemd-analyze verify` with nothing to say (it exits 0 even
// on bad values, so the check is on its output), and a broken copy does not.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';

const unit = join(import.meta.dirname, '..', '..', 'deploy', 'systemd', 'vrrpd.service');
const haveVerify = spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;

function verify(file: string): { status: number | null; output: string } {
  const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  return { status: result.status, output: (result.stdout + result.stderr).trim() };
}

describe.skipIf(!haveVerify)('systemd unit (needs systemd-analyze)', () => {
  test('systemd-analyze verify finds nothing to report', () => {
    expect(verify(unit)).toEqual({ status: 0, output: '' });
  });

  test('the check can fail: a misspelt service type is reported', () => {
    const broken = join(scratchDir('unit'), 'vrrpd.service');
    writeFileSync(broken, readFileSync(unit, 'utf8').replace('Type=notify', 'Type=notifyy'));
    expect(verify(broken).output).toContain('Failed to parse service type');
  });

  test('the unit is what docs/operations.md promises', () => {
    const text = readFileSync(unit, 'utf8');
    for (const line of [
      'Type=notify',
      'ExecStart=/usr/bin/env vrrpd run -f /etc/keepalived/keepalived.conf',
      'ExecReload=/usr/bin/env vrrpd reload',
      'Restart=on-failure',
      'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW',
      'AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
    expect(text).toMatch(/^WatchdogSec=\d+s$/m);
  });
});
