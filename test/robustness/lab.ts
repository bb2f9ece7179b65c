// Shared pieces of the robustness tests that run real daemons: one lab per test, torn down after.
import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { NamespaceLab, sweepStaleLabs } from '../helpers/netns.js';
import { control, type BenchDaemon } from '../../bench/lib/daemons.js';
import type { InstanceStatus } from '../../src/daemon/vrrp/routers.js';

let current: NamespaceLab | undefined;

/** Registers the teardown; call once at the top of a test file. */
export function useLab(): () => Promise<NamespaceLab> {
  afterEach(async () => {
    await current?.destroy();
    current = undefined;
  });
  return async () => {
    await sweepStaleLabs();
    current = await NamespaceLab.create();
    return current;
  };
}

export async function status(daemon: BenchDaemon): Promise<InstanceStatus[]> {
  const response = await control(daemon, 'status');
  if (!response.ok) throw new Error(`status failed: ${response.error.message}`);
  return (response.result as { instances: InstanceStatus[] }).instances;
}

export function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? Number.NaN);
}

/** Waits until the daemon answers on its control socket (node may take a second to start under load). */
export async function ready(daemon: BenchDaemon, timeoutMs = 10_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    try {
      await status(daemon);
      return;
    } catch (error) {
      if (performance.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
