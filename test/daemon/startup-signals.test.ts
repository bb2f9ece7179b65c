// The entry point's hold on SIGHUP/SIGUSR1/SIGUSR2 while a daemon starts (the real process is
// tested in test/linux/startup-signals.test.ts): only daemon subcommands hold them, and the daemon
// takes over what arrived, once per kind.
import { expect, test } from 'vitest';
import { holdStartupSignals, releaseStartupSignals } from '../../src/daemon/operations/startup-signals.js';

const listeners = (): number[] => (['SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const).map((signal) => process.listenerCount(signal));

test('other subcommands keep the default action (a SIGHUP still ends `vrrpd status` in a closed terminal)', () => {
  const before = listeners();
  for (const command of ['status', 'check', 'reload', 'lab', '--help']) holdStartupSignals([command, '-f', 'x']);
  expect(listeners()).toEqual(before);
  expect(releaseStartupSignals()).toEqual([]);
});

test('run holds them; release returns each that arrived once, and stops holding', async () => {
  const before = listeners();
  holdStartupSignals(['run', '-f', 'keepalived.conf']);
  expect(listeners()).toEqual(before.map((count) => count + 1));
  for (const signal of ['SIGUSR2', 'SIGUSR2', 'SIGHUP'] as const) {
    process.kill(process.pid, signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(releaseStartupSignals()).toEqual(['SIGUSR2', 'SIGHUP']);
  expect(listeners()).toEqual(before);
  expect(releaseStartupSignals()).toEqual([]);
});
