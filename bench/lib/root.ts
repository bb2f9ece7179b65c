// The repository root, found from this file whether it runs as TypeScript (vitest) or compiled
// under bench/.build.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function repoRoot(): string {
  let dir = import.meta.dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'vrrpd') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the vrrpd repository root');
    dir = parent;
  }
}
