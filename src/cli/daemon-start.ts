// What bin/vrrpd needs to start a daemon, `check` or the control commands without Node's ES module
// loader (~11 ms of CPU for an ES module entry against a CommonJS one, measured with `node empty.mjs`
// / `node empty.cjs`): bundled by scripts/bundle-daemon.mjs into dist/bundle/daemon-start.cjs, which
// imports node's own modules only. bin/vrrpd holds the start-up signals through it, then runs the
// command's bundle.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { holdStartupSignals, isDaemonCommand } from '../daemon/operations/startup-signals.js';
import { shimFile } from '../linux/package-files.js';
import { loadCachedModule, type BundleReader } from './code-cache.js';

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
  return loadCachedModule(file, `${file}.cache`, name === 'daemon' ? shimReader(bundleDir) : undefined).exports as CommandBundle;
}

/**
 * The native shim's bundle readers (native-shims/bundle_source.cc), for the daemon, which loads the
 * shim before its first advertisement anyway (src/linux/native.ts requires the same file, which
 * Node's require cache then gives it); `check` and the control commands never load it. Undefined
 * without a shim, or with one built before them (`npm run build` does not rebuild it): Node's fs
 * reads the bundle then.
 */
function shimReader(bundleDir: string): BundleReader | undefined {
  // bundleDir is the package's dist/bundle.
  const shim = shimFile(join(bundleDir, '..', '..'));
  try {
    const loaded = createRequire(shim)(shim) as Partial<BundleReader>;
    return typeof loaded.readWrappedSource === 'function' && typeof loaded.readWholeFile === 'function' ? (loaded as BundleReader) : undefined;
  } catch {
    return undefined;
  }
}
