// The entry of the CommonJS bundle (dist/bundle/control.cjs, scripts/bundle-daemon.mjs) that bin/vrrpd
// runs with V8's code cache (src/cli/code-cache.ts) for the commands operators and probes run all day
// against a running daemon (`status`, `priority`, `reload`, `dump`) and for `--version`: from the ES
// module bundle each run compiled commander and the CLI anew, 1.4-1.6x `node -e 0` against issue
// 16's 1.5x (bench/RESULTS.md). It holds those commands' code alone, as check.cjs holds check's.
import { buildProgram, main } from './main.js';

export { main };

/**
 * What the build runs before it writes the cache: `--version`, and `status`, `status --json` and
 * `priority` up to their request, against a control socket that is not there (a build host runs no
 * daemon): commander, the command line and the control client are then in the cache; the tables
 * an answer is printed with are small and compile on first use. Nothing is printed. Returns the
 * number of commands that failed as expected.
 */
export async function warmUp(): Promise<number> {
  const nowhere = '/nonexistent/vrrpd-warm-up.sock';
  const commands = [['--version'], ['status', '--control-socket', nowhere], ['status', '--json', '--control-socket', nowhere], ['priority', 'VI_1', '100', '--control-socket', nowhere]];
  let failed = 0;
  for (const argv of commands) {
    const program = buildProgram(() => undefined, () => undefined).configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
    await program.parseAsync(argv, { from: 'user' }).catch(() => void failed++);
  }
  return failed;
}
