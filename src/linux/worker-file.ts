// Where a worker thread's compiled entry is: beside the module asking (in dist/), or in dist/ when
// that module runs from src/ (vitest loads src/, a Worker needs JavaScript).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `moduleUrl`: import.meta.url of a module under src/linux/; `entry`: the worker's path from src/ ('linux/bfd/worker.js'). */
export function workerFile(moduleUrl: string, entry: string): string {
  const here = fileURLToPath(moduleUrl);
  const beside = join(here, '..', entry.split('/').pop() ?? entry);
  if (existsSync(beside)) return beside;
  const src = here.slice(0, here.lastIndexOf(`${join('/', 'src', 'linux')}/`));
  return join(src, 'dist', entry);
}
