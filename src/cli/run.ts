// `vrrpd run -f FILE`: the daemon in the foreground, composed of the subsystems the configuration
// asks for (VRRP) on this Linux host. Refuses a configuration `check` rejects, with the same
// messages; on SIGTERM or SIGINT a Master hands over (priority 0) and removes its addresses before
// exiting 0. SIGHUP reloads, SIGUSR1/SIGUSR2 dump (daemon/operations/operations.ts).
import type { LevelWithSilent } from 'pino';
import { formatIssue, hasErrors } from '../config/issues.js';
import type { VrrpdConfig } from '../config/model.js';
import { DEFAULT_CONTROL_SOCKET } from '../control/protocol.js';
import { ControlServer, type CommandHandler } from '../control/server.js';
import { createLogger } from '../core/log.js';
import { Daemon } from '../daemon/daemon.js';
import type { DumpFormat } from '../daemon/dump-formats.js';
import type { ListenAddress } from '../daemon/operations/http-listener.js';
import { Operations } from '../daemon/operations/operations.js';
import { missingOwnCapabilities } from '../linux/capabilities.js';
import { LinuxPlatform } from '../linux/platform.js';
import { packetsWaitingOnLoop, RealClock } from '../linux/real-clock.js';
import { KEEPALIVED_JSON_SIGNAL_OFFSET, onRealtimeSignal } from '../linux/realtime-signal.js';
import { resignationsSent, resignationTrace, resignOnSignals } from '../linux/signal-resignation.js';
import { SystemdNotifier } from '../linux/sd-notify.js';
import { codeCacheStatus } from './code-cache.js';
import { loadConfigOnThisHost } from './load-on-host.js';
import { hostSubsystems } from './subsystems.js';
import { holdHeapGrowth } from './heap-growth.js';
import { holdMallocSlack } from '../linux/malloc-slack.js';
import { settleHeapAfterBursts } from '../linux/heap-settle.js';

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

/**
 * How long a graceful stop may take before vrrpd exits anyway (a hung stop must not keep it up;
 * systemd's TimeoutStopSec and the kubelet's grace period are 90 s and 30 s). The priority-0
 * advertisements leave at once; what follows is slower: the load balancer removes its nftables
 * tables by running nft, a child process that a loaded machine may take over a second to start.
 */
const STOP_DEADLINE_MS = 5000;

export async function run(options: RunOptions): Promise<number> {
  // Before the configuration is loaded: what a large one allocates would otherwise grow it.
  holdHeapGrowth();
  holdMallocSlack();
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
  const platform = new LinuxPlatform(log);
  // A Backup's Master_Down_Timer runs in its wake-up when no VRRP packet waits (real-clock.ts).
  const clock = new RealClock({ packetsWaiting: packetsWaitingOnLoop });
  const subsystems = hostSubsystems(platform, clock, log);
  const closeHost = (): void => subsystems.close();
  const daemon = new Daemon(subsystems.factories, log);
  const nothing = daemon.nothingToRun(loaded.config);
  if (nothing) {
    process.stderr.write(`vrrpd: ${options.file} ${nothing}; nothing to run\n`);
    closeHost();
    return 1;
  }

  const missing = missingOwnCapabilities();
  if (missing.length > 0) {
    process.stderr.write(`vrrpd: needs root or ${missing.join(' and ')} (raw VRRP sockets need CAP_NET_RAW; addresses, routes and VMACs need CAP_NET_ADMIN); not started\n`);
    closeHost();
    return 1;
  }
  const serviceManager = SystemdNotifier.fromEnvironment(log);
  const controlPath = options.controlSocket ?? DEFAULT_CONTROL_SOCKET;
  const operations = new Operations({
    daemon,
    controlSocket: controlPath,
    log,
    file: options.file,
    load,
    ...(options.dumpPaths ? { dumpPaths: options.dumpPaths } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.health ? { health: options.health } : {}),
    ...(options.pidFile ? { pidFile: options.pidFile } : {}),
    ...(serviceManager ? { serviceManager } : {}),
    jsonDumpSignal: (handler) => onRealtimeSignal(KEEPALIVED_JSON_SIGNAL_OFFSET, handler),
  });
  // Before the daemon touches the host: a metrics or health port or PID file that fails changes nothing.
  try {
    await operations.start();
  } catch (error) {
    process.stderr.write(`vrrpd: ${(error as Error).message}\n`);
    await operations.close();
    closeHost();
    return 1;
  }
  try {
    await daemon.start(loaded.config);
  } catch (error) {
    process.stderr.write(`vrrpd: ${(error as Error).message}\n`);
    await operations.close();
    closeHost();
    return 1;
  }

  const handlers = new Map<string, CommandHandler>([
    ['ping', () => ({ pong: true, pid: process.pid })],
    ['status', () => daemon.status()],
    ...daemon.commands(),
    ...operations.handlers(),
  ]);
  // The test hooks (VRRPD_TEST_HOOKS=1) load node:inspector: not imported for an operator's daemon.
  if (process.env['VRRPD_TEST_HOOKS'] === '1') (await import('../daemon/operations/test-hooks.js')).registerTestHooks(handlers);
  let control: ControlServer;
  try {
    control = await ControlServer.listen(controlPath, handlers);
  } catch (error) {
    process.stderr.write(`vrrpd: cannot open the control socket ${controlPath}: ${(error as Error).message}\n`);
    await operations.close();
    await daemon.stop();
    closeHost();
    return 1;
  }
  // codeCache: whether the start ran with the daemon bundle's compiled code (src/cli/code-cache.ts);
  // "rejected" after a Node.js upgrade says the package wants rebuilding (`npm rebuild vrrpd`).
  const codeCache = codeCacheStatus();
  log.info({ event: 'started', config: options.file, instances: loaded.config.instances.map((i) => i.name), controlSocket: controlPath, ...(operations.metricsAddress ? { metrics: operations.metricsAddress } : {}), ...(operations.healthAddress ? { health: operations.healthAddress } : {}), ...(codeCache ? { codeCache } : {}) }, `vrrpd started with ${loaded.config.instances.length} instance(s)`);
  operations.ready();
  const stopSettling = settleHeapAfterBursts();

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      // When JavaScript heard of it (the handler's trace is read after the hand-over below).
      const heardAtMs = performance.timeOrigin + performance.now();
      stopSettling();
      // The hand-over first: the priority-0 advertisements leave before this line is logged (most
      // left from the signal handler already, resignOnSignals below).
      const stopped = daemon.stop();
      const sentByHandler = resignationsSent();
      // Whether the native handler ran, on which thread, what was armed, and whether it is still
      // installed (read before this listener is removed, which resets the signal's disposition).
      const handler = resignationTrace(signal);
      log.info(
        { event: 'stopping', signal, priorityZeroFromSignalHandler: sentByHandler, ...(handler ? { signalHandler: { ...handler, heardAtMs } } : {}) },
        `${signal}: stopping (Masters hand over with priority 0${sentByHandler > 0 ? `; ${sentByHandler} advertisement(s) sent by the signal handler` : ''})`,
      );
      operations.stopping();
      const deadline = setTimeout(() => resolve(0), STOP_DEADLINE_MS);
      void Promise.all([stopped, control.close(), operations.close()])
        .finally(closeHost)
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
    // After Node's own handlers are in place: the native one runs first and hands on to them.
    // VRRPD_SIGNAL_WATCHER=0: the handler alone, as before the watcher thread (for A/B).
    resignOnSignals(['SIGTERM', 'SIGINT'], process.env['VRRPD_SIGNAL_WATCHER'] !== '0');
  });
}

/** `vrrpd run` for a configuration built in memory, through the same path as a file. */
export function runConfig(config: VrrpdConfig, options: Omit<RunOptions, 'config'>): Promise<number> {
  return run({ ...options, config });
}
