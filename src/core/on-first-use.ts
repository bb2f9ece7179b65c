// Node's own modules that a daemon needs only later (spawning a script, a track_file, a control
// client), loaded when first used instead of before its first advertisement: each import at load
// cost a start 3-6 ms on a 2-core machine (issue 16: start-up within 1.3x `node -e 0`).
import { createRequire } from 'node:module';

/** The module `specifier` (a node: module), required the first time the returned function is called. */
export function onFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= createRequire(import.meta.url)(specifier) as T);
}
