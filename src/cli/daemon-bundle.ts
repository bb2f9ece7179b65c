// The entry of the daemon's CommonJS bundle (dist/bundle/daemon.cjs, scripts/bundle-daemon.mjs),
// which bin/vrrpd runs for `run` and `ipfailover` with V8's code cache (src/cli/code-cache.ts).
import { formatIssue } from '../config/issues.js';
import { createLogger } from '../core/log.js';
import { loadConfigOnThisHost } from './load-on-host.js';
import { buildProgram, main } from './main.js';

export { main };

/**
 * What the build runs before it writes the code cache: the functions compiled by then are the ones
 * the cache holds, and a function the start runs that it lacks is parsed and compiled before the
 * first advertisement. What `run` does before its first advertisement that leaves the host alone:
 * the command line as `run` parses it, the configuration loaded as `run` loads it (parse,
 * validation, its interfaces looked up through rtnetlink, read only), a logger writing a line, the
 * daemon's modules loaded, and the daemon started on an in-memory host (warm-up-host.ts: the
 * subsystems, the routers, a takeover, the failover rehearsal, the Linux layer's reads and its
 * socket and announcer over native parts that send nothing). Never `run` itself, which would
 * start a daemon on the build host. Not `run --help` nor `simulate`, as before: help formatting
 * and the simulated LAN are not in a start, and the rehearsal plays the protocol core's failover
 * (36 KB less cache to deserialize at every start; issue 16). Returns what it would print.
 */
export async function warmUp(configFile: string): Promise<string> {
  let printed = '';
  const write = (text: string): boolean => ((printed += text), true);
  // The command line as `run` parses it, up to its action's first check (a log level it refuses).
  await buildProgram(write, () => undefined, 'run')
    .parseAsync(['run', '-f', configFile, '--log-level', 'warm-up'], { from: 'user' })
    .catch(() => undefined);
  const loaded = await loadConfigOnThisHost(configFile);
  for (const issue of loaded.issues) write(formatIssue(issue) + '\n');
  const log = createLogger({ level: 'info', readable: false, destination: { write } as unknown as NodeJS.WritableStream });
  log.info({ event: 'warm-up', instances: loaded.config.instances.map((i) => i.name) }, 'warm-up');
  await import('./run.js');
  // A host where it cannot run (no native shim built yet) still gets a bundle, with less in its cache.
  await (await import('./warm-up-host.js')).warmUpDaemon(loaded.config, log).catch((error: unknown) => {
    process.stderr.write(`vrrpd warm-up: the daemon's start is not in the code cache: ${(error as Error).message}\n`);
  });
  return printed;
}
