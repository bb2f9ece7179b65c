// The entry of the daemon's CommonJS bundle (dist/bundle/daemon.cjs, scripts/bundle-daemon.mjs),
// which bin/vrrpd runs for `run` and `ipfailover` with V8's code cache (src/cli/code-cache.ts).
import { formatIssue } from '../config/issues.js';
import { createLogger } from '../core/log.js';
import { loadConfigOnThisHost } from './load-on-host.js';
import { main } from './main.js';

export { main };

/**
 * What the build runs before it writes the code cache: the functions compiled by then are the ones
 * the cache holds. What `run` does before its first advertisement that leaves the host alone: the
 * command line, the configuration loaded as `run` loads it (parse, validation, its interfaces
 * looked up through rtnetlink, read only), a logger writing a line, the daemon's modules loaded,
 * and the protocol core (state machine, packets) through `simulate` (virtual time, no network).
 * Never `run` itself, which would start a daemon on the build host. Returns what it would print.
 */
export async function warmUp(configFile: string): Promise<string> {
  let printed = '';
  const write = (text: string): boolean => ((printed += text), true);
  await main(['run', '--help']).catch(() => 2);
  const loaded = await loadConfigOnThisHost(configFile);
  for (const issue of loaded.issues) write(formatIssue(issue) + '\n');
  createLogger({ level: 'info', readable: false, destination: { write } as unknown as NodeJS.WritableStream }).info({ event: 'warm-up', instances: loaded.config.instances.map((i) => i.name) }, 'warm-up');
  await import('./run.js');
  await main(['simulate']);
  return printed;
}
