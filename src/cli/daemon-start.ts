// What bin/vrrpd needs to start a daemon without Node's ES module loader (~11 ms of CPU for an ES
// module entry against a CommonJS one, measured with `node empty.mjs` / `node empty.cjs`): bundled
// by scripts/bundle-daemon.mjs into dist/bundle/daemon-start.cjs, which imports node's own modules
// only. bin/vrrpd holds the start-up signals through it, then runs the daemon bundle.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { holdStartupSignals, isDaemonCommand } from '../daemon/operations/startup-signals.js';
import { loadCachedModule } from './code-cache.js';

export { holdStartupSignals, isDaemonCommand };

/** What the daemon bundle exports (src/cli/daemon-bundle.ts). */
export interface DaemonBundle {
  main(argv: readonly string[]): Promise<number>;
}

/**
 * The daemon bundle in `bundleDir` (dist/bundle/ as bin/vrrpd finds it), run with its code cache;
 * undefined when there is none (bin/vrrpd then runs the ES module bundle).
 */
export function loadDaemonBundle(bundleDir: string): DaemonBundle | undefined {
  const file = join(bundleDir, 'daemon.cjs');
  if (!existsSync(file)) return undefined;
  return loadCachedModule(file, `${file}.cache`).exports as DaemonBundle;
}
