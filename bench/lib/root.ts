// The repository root, found from this file whether it runs as TypeScript (vitest) or compiled
// under bench/.build.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

/**
 * Where the vrrpd under test lives: VRRPD_BENCH_DAEMON_ROOT (another checkout, built, e.g. a git
 * worktree of the commit to compare against) or this repository. The bench's own code and lab are
 * always this repository's, so two builds are measured by the same harness.
 */
export function daemonRoot(): string {
  const other = process.env['VRRPD_BENCH_DAEMON_ROOT'];
  return other ? resolve(other) : repoRoot();
}
