// Files of the package found from the URL of one of its modules, which runs from src/ (vitest),
// dist/ (tsc's output) or dist/bundle/ (scripts/bundle.mjs, what bin/vrrpd runs).
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root directory: the one holding the src/ or dist/ the module is in. */
export function packageRoot(moduleUrl: string): string {
  const here = fileURLToPath(moduleUrl);
  const at = Math.max(here.lastIndexOf(`${sep}dist${sep}`), here.lastIndexOf(`${sep}src${sep}`));
  if (at < 0) throw new Error(`${here} is not in the package's src/ or dist/`);
  return here.slice(0, at);
}

/** The native shim (native-shims/, built by node-gyp) of the package whose root is `root`. */
export function shimFile(root: string): string {
  return join(root, 'native-shims', 'build', 'Release', 'vrrpd_shims.node');
}

/**
 * Where a worker thread's compiled entry is: beside the module asking (in dist/), else in dist/
 * (the module runs from src/, and a Worker needs JavaScript; or from the bundle, which does not
 * include the workers' entries). `entry`: the worker's path from src/ ('linux/bfd/worker.js').
 */
export function workerFile(moduleUrl: string, entry: string): string {
  const beside = join(fileURLToPath(moduleUrl), '..', entry.split('/').pop() ?? entry);
  if (existsSync(beside)) return beside;
  return join(packageRoot(moduleUrl), 'dist', entry);
}
