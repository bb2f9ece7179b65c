// What bin/vrrpd needs to start a daemon, `check` or the control commands without Node's ES module
// loader (~11 ms of CPU for an ES module entry against a CommonJS one, measured with `node empty.mjs`
// / `node empty.cjs`): bundled by scripts/bundle-daemon.mjs into dist/bundle/daemon-start.cjs, which
// imports node's own modules only. bin/vrrpd holds the start-up signals through it, then runs the
// command's bundle.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { holdStartupSignals, isDaemonCommand } from '../daemon/operations/startup-signals.js';
import { loadCachedModule } from './code-cache.js';

export { holdStartupSignals, isDaemonCommand };

/** What a cached bundle exports (src/cli/daemon-bundle.ts, check-bundle.ts, control-bundle.ts). */
export interface CommandBundle {
  main(argv: readonly string[]): Promise<number>;
}

/** The bundles bin/vrrpd runs with their code cache (scripts/bundle-daemon.mjs). */
export type CachedBundleName = 'daemon' | 'check' | 'control';

/** What runs from control.cjs (src/cli/control-bundle.ts): the commands that ask a running daemon, and the version. */
const CONTROL_COMMANDS = new Set(['status', 'priority', 'reload', 'dump', '--version', '-V']);

/** Which cached bundle runs the command line `argv`; undefined: the ES module bundle does. */
export function cachedBundleFor(argv: readonly string[]): CachedBundleName | undefined {
  if (isDaemonCommand(argv)) return 'daemon';
  if (argv[0] === 'check') return 'check';
  return CONTROL_COMMANDS.has(argv[0] ?? '') ? 'control' : undefined;
}

/**
 * The bundle `name` in `bundleDir` (dist/bundle/ as bin/vrrpd finds it), run with its code cache;
 * undefined when there is none (bin/vrrpd then runs the ES module bundle).
 */
export function loadCachedBundle(bundleDir: string, name: CachedBundleName): CommandBundle | undefined {
  const file = join(bundleDir, `${name}.cjs`);
  if (!existsSync(file)) return undefined;
  return loadCachedModule(file, `${file}.cache`).exports as CommandBundle;
}
