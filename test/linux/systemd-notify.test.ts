// sd_notify as systemd would see it: a python3 listener bound to an abstract NOTIFY_SOCKET in the
// host's namespace receives READY=1 once vrrpd runs, WATCHDOG=1 at half WATCHDOG_USEC,
// RELOADING=1 (with MONOTONIC_USEC) then READY=1 around a SIGHUP reload, and STOPPING=1 on SIGTERM.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';
import { instanceConfig, waitFor } from '../helpers/daemons.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';

const vrrpd = join(import.meta.dirname, '..', '..', 'bin', 'vrrpd');
const LISTENER = `
import json, socket, sys
name = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + name[1:] if name.startswith('@') else name)
print('listening', flush=True)
while True:
    print(json.dumps(s.recv(65536).decode()), flush=True)
`;

let lab: NamespaceLab | undefined;
afterEach(async () => {
  await lab?.destroy();
  lab = undefined;
});

/** Binds NOTIFY_SOCKET in the host's namespace; returns the datagrams received so far. */
async function notifyListener(host: LabHost, name: string): Promise<string[]> {
  const messages: string[] = [];
  const child: ChildProcess = host.spawn('python3', ['-c', LISTENER, name]);
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'listening') resolve();
        else messages.push(JSON.parse(line) as string);
      }
    });
    child.once('exit', (code) => reject(new Error(`the notify listener exited (${code})`)));
  });
  return messages;
}

describe.skipIf(!isRoot())('sd_notify (needs root)', () => {
  test('READY, WATCHDOG, RELOADING/READY on SIGHUP, STOPPING on SIGTERM', { timeout: 30_000 }, async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    const a = await lab.addHost('a', ['192.0.2.1/24']);
    const dir = scratchDir('notify');
    const config = join(dir, 'vrrpd.conf');
    writeFileSync(config, instanceConfig({ priority: 150, version: 3, vip: '192.0.2.100/24' }));
    const name = `@vrrpd-test-${process.pid}-${Date.now()}`;
    const messages = await notifyListener(a, name);
    const daemon = a.spawn('node', [vrrpd, 'run', '-f', config, '--control-socket', join(dir, 'vrrpd.sock')], {
      env: { ...process.env, NOTIFY_SOCKET: name, WATCHDOG_USEC: '400000' },
    });
    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));

    await waitFor('READY=1', async () => messages.some((m) => m.split('\n').includes('READY=1')), 8000);
    const ready = messages.find((m) => m.split('\n').includes('READY=1'))!;
    expect(ready).toMatch(/^READY=1\nSTATUS=VI_1 (Initialize|Backup)$/);
    // 400 ms watchdog: a keep-alive every 200 ms.
    await waitFor('three WATCHDOG=1', async () => messages.filter((m) => m === 'WATCHDOG=1').length >= 3, 3000);
    await waitFor('STATUS to follow the election', async () => messages.includes('STATUS=VI_1 Master'), 6000);

    const beforeReload = messages.length;
    daemon.kill('SIGHUP');
    await waitFor('READY=1 after the reload', async () => messages.slice(beforeReload).some((m) => m.startsWith('READY=1')), 5000);
    const reload = messages.slice(beforeReload).filter((m) => m !== 'WATCHDOG=1');
    expect(reload[0]).toMatch(/^RELOADING=1\nMONOTONIC_USEC=\d+$/);
    expect(reload[1]).toBe('READY=1\nSTATUS=VI_1 Master');

    const beforeStop = messages.length;
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
    await waitFor('STOPPING=1 to be read', async () => messages.slice(beforeStop).includes('STOPPING=1'), 2000);
    const stop = messages.slice(beforeStop).filter((m) => m !== 'WATCHDOG=1');
    expect(stop).toEqual(['STOPPING=1']);
  });
});
