// `vrrpd run -f FILE`: the daemon in the foreground. Refuses a configuration `check` rejects, with
// the same messages; on SIGTERM or SIGINT a Master hands over (priority 0) and removes its
// addresses before exiting 0. SIGHUP reloads, SIGUSR1/SIGUSR2 dump (see operate.ts).
import type { LevelWithSilent } from 'pino';
import { formatIssue, hasErrors } from '../config/issues.js';
import type { VrrpdConfig } from '../config/model.js';
import { loadConfigOnThisHost } from './load-on-host.js';
import { announcePacing, daemonInstances, vmacSpecs } from '../config/runtime.js';
import { DEFAULT_CONTROL_SOCKET } from '../control/protocol.js';
import { CommandError, ControlServer, type CommandHandler } from '../control/server.js';
import { Daemon, InstanceNotFoundError } from '../daemon/daemon.js';
import { createLogger } from '../daemon/log.js';
import { RealClock } from '../daemon/real-clock.js';
import { registerTestHooks } from '../daemon/test-hooks.js';
import { missingOwnCapabilities } from '../linux/capabilities.js';
import { LinuxPlatform } from '../linux/platform.js';
import type { DumpFormat } from '../daemon/dumps.js';
import type { ListenAddress } from '../daemon/http-listener.js';
import { linuxSupervisor } from '../tracking/linux-supervisor.js';
import { Operations } from './operate.js';

export interface RunOptions {
  readonly file: string;
  /**
   * A configuration built in memory (`vrrpd ipfailover`) instead of reading `file`, which then
   * only names it; a reload applies it again (the environment it came from cannot change).
   */
  readonly config?: VrrpdConfig;
  readonly controlSocket?: string;
  readonly logLevel?: LevelWithSilent;
  readonly configId?: string;
  /** `--metrics ADDR:PORT`: serve Prometheus metrics there (and the health probes). */
  readonly metrics?: ListenAddress;
  /** `--health ADDR:PORT`: serve the health probes (/livez, /healthz, /readyz) there. */
  readonly health?: ListenAddress;
  /** Where SIGUSR1/SIGUSR2 and `vrrpd dump --write` put dumps (keepalived's /tmp paths by default). */
  readonly dumpPaths?: Partial<Record<DumpFormat, string>>;
  /** `--pid-file PATH`: the PID, for tools that signal keepalived (exporters). */
  readonly pidFile?: string;
}

/** How long a graceful stop may take before vrrpd exits anyway. */
const STOP_DEADLINE_MS = 1000;

export async function run(options: RunOptions): Promise<number> {
  const log = createLogger({ level: options.logLevel ?? 'info' });
  // Interface detection (YAML) asks this host; in-memory configurations are already resolved.
  const inMemory = options.config;
  const load = inMemory
    ? async () => ({ config: inMemory, issues: [], files: [] })
    : () => loadConfigOnThisHost(options.file, options.configId !== undefined ? { configId: options.configId } : {});
  const loaded = await load();
  for (const issue of loaded.issues) process.stderr.write(formatIssue(issue) + '\n');
  if (hasErrors(loaded.issues)) {
    process.stderr.write(`vrrpd: ${options.file} has errors; not started\n`);
    return 1;
  }
  if (loaded.config.instances.length === 0) {
    process.stderr.write(`vrrpd: ${options.file} defines no vrrp_instance; nothing to run\n`);
    return 1;
  }

  const missing = missingOwnCapabilities();
  if (missing.length > 0) {
    process.stderr.write(`vrrpd: needs root or ${missing.join(' and ')} (raw VRRP sockets need CAP_NET_RAW; addresses, routes and VMACs need CAP_NET_ADMIN); not started\n`);
    return 1;
  }
  const platform = new LinuxPlatform(log, announcePacing(loaded.config));
  const clock = new RealClock();
  const daemon = new Daemon({
    instances: daemonInstances(loaded.config),
    platform,
    clock,
    log,
    startupDelayMs: loaded.config.global.startupDelayMs,
    // Tracking, sync groups and notify scripts.
    hooks: await linuxSupervisor(loaded.config, clock, log),
  });
  const controlPath = options.controlSocket ?? DEFAULT_CONTROL_SOCKET;
  const operations = new Operations({
    daemon,
    controlSocket: controlPath,
    hooksFor: (config) => linuxSupervisor(config, clock, log),
    log,
    file: options.file,
    load,
    ...(options.dumpPaths ? { dumpPaths: options.dumpPaths } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.health ? { health: options.health } : {}),
    ...(options.pidFile ? { pidFile: options.pidFile } : {}),
    vmacs: platform.vmacs,
    configureAnnouncements: (config) => platform.configureAnnouncements(announcePacing(config)),
  });
  // Closes the host side: VMACs this run created go, then netlink.
  const closePlatform = async (): Promise<void> => {
    await platform.vmacs.removeAll().catch((error: unknown) => log.error({ event: 'vmac-remove-failed', error: (error as Error).message }, `could not remove VMACs: ${(error as Error).message}`));
    platform.close();
  };
  // Before the daemon touches the host: a metrics or health port or PID file that fails changes nothing.
  try {
    await operations.start();
  } catch (error) {
    process.stderr.write(`vrrpd: ${(error as Error).message}\n`);
    await operations.close();
    platform.close();
    return 1;
  }
  try {
    await platform.vmacs.create(vmacSpecs(loaded.config));
    await daemon.start();
  } catch (error) {
    process.stderr.write(`vrrpd: ${(error as Error).message}\n`);
    await daemon.stop().catch(() => undefined);
    await operations.close();
    await closePlatform();
    return 1;
  }

  const handlers = new Map<string, CommandHandler>([
    ['ping', () => ({ pong: true, pid: process.pid })],
    ['status', () => ({ instances: daemon.status() })],
    ['priority', (request) => priorityCommand(daemon, request.args ?? {})],
    ...operations.handlers(),
  ]);
  registerTestHooks(handlers);
  let control: ControlServer;
  try {
    control = await ControlServer.listen(controlPath, handlers);
  } catch (error) {
    process.stderr.write(`vrrpd: cannot open the control socket ${controlPath}: ${(error as Error).message}\n`);
    await operations.close();
    await daemon.stop();
    await closePlatform();
    return 1;
  }
  log.info({ event: 'started', config: options.file, instances: loaded.config.instances.map((i) => i.name), controlSocket: controlPath, ...(operations.metricsAddress ? { metrics: operations.metricsAddress } : {}), ...(operations.healthAddress ? { health: operations.healthAddress } : {}) }, `vrrpd started with ${loaded.config.instances.length} instance(s)`);
  operations.ready();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      // The hand-over first: the priority-0 advertisements leave before this line is logged.
      const stopped = daemon.stop();
      log.info({ event: 'stopping', signal }, `${signal}: stopping (Masters hand over with priority 0)`);
      operations.stopping();
      const deadline = setTimeout(() => resolve(0), STOP_DEADLINE_MS);
      void Promise.all([stopped, control.close(), operations.close()])
        .finally(closePlatform)
        .finally(() => {
          clearTimeout(deadline);
          resolve(0);
        });
    };
    // A second signal of the same kind ends the process at once (the default action), as with
    // process.once; the listener goes after the hand-over, which removing it first would delay.
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const onSignal = (): void => {
        stop(signal);
        process.removeListener(signal, onSignal);
      };
      process.on(signal, onSignal);
    }
  });
}

/** `vrrpd run` for a configuration built in memory, through the same path as a file. */
export function runConfig(config: VrrpdConfig, options: Omit<RunOptions, 'config'>): Promise<number> {
  return run({ ...options, config });
}

/** The control socket's `priority` command: `{instance, priority}` or `{instance, reset: true}`. */
function priorityCommand(daemon: Daemon, args: Record<string, unknown>): unknown {
  const instance = args['instance'];
  if (typeof instance !== 'string') throw new CommandError('invalid-arguments', '"instance" must be the name of a vrrp_instance');
  const value = args['priority'];
  if (args['reset'] !== true && typeof value !== 'number') throw new CommandError('invalid-arguments', 'give "priority" (1..254) or "reset": true');
  try {
    return daemon.setPriorityOverride(instance, args['reset'] === true ? undefined : (value as number));
  } catch (error) {
    if (error instanceof InstanceNotFoundError || error instanceof RangeError) throw new CommandError('invalid-arguments', error.message);
    throw error;
  }
}
