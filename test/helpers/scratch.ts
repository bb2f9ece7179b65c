// Temporary files of tests. scratchDir() makes a directory under the system's temporary directory
// (during a run, the run's own: global-setup.ts points TMPDIR there and fails the run if anything
// is left in it) and removes it after the test file, also when a test failed: cleanup.ts, a setup
// file, calls removeScratchDirs() after each file. (Vitest ends its workers without running
// process 'exit' hooks, so an exit hook would not do.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A new directory `vrrpd-NAME-XXXXXX`, removed after the test file at the latest. */
export function scratchDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `vrrpd-${name}-`));
  made.add(dir);
  return dir;
}

/** Removes a directory from scratchDir() now, with everything in it. */
export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

/** Removes every directory scratchDir() made that is still there. */
export function removeScratchDirs(): void {
  for (const dir of made) removeScratchDir(dir);
}
