// The entry of `vrrpd check`'s CommonJS bundle (dist/bundle/check.cjs, scripts/bundle-daemon.mjs),
// which bin/vrrpd runs with V8's code cache (src/cli/code-cache.ts), as it runs the daemon's. The
// configuration stack is most of what `check` loads (~450 KB of JavaScript): from the ES module
// bundle it was parsed and compiled on every run, 1.6x `node -e 0` against issue 16's 1.5x; with
// the cache, compiled code arrives ready (bench/RESULTS.md, CLI). The bundle holds check's code
// only: the other subcommands' dynamic imports are left out of it (scripts/bundle-daemon.mjs).
import { buildProgram, main } from './main.js';

export { main };

/**
 * What the build runs before it writes the cache: `check` of a valid file as an operator runs it,
 * plain and with --json, its output kept rather than printed. Only the file and this namespace's
 * interface names (/proc/self/net/dev) are read. Returns what it would print.
 */
export async function warmUp(configFile: string): Promise<string> {
  let printed = '';
  const write = (text: string): void => void (printed += text);
  for (const extra of [[], ['--json']]) {
    await buildProgram(write, () => undefined).parseAsync(['check', '-f', configFile, ...extra], { from: 'user' });
  }
  return printed;
}
