// `vrrpd run -f FILE`: the daemon in the foreground. Refuses a configuration `check` rejects, with
// the same messages; on SIGTERM or SIGINT a Master hands over (priority 0) and removes its
// addresses before exiting 0.
import type { LevelWithSilent } from 'pino';
import { formatIssue, hasErrors } from '../config/issues.js';
import { loadConfigFile } from '../config/load.js';
import { announceTimings, daemonInstances, vmacSpecs } from '../config/runtime.js';
import { DEFAULT_CONTROL_SOCKET } from '../control/protocol.js';
import { CommandError, ControlServer, type CommandHandler } from '../control/server.js';
import { Daemon, InstanceNotFoundError } from '../daemon/daemon.js';
import { createLogger } from '../daemon/log.js';
import { RealClock } from '../daemon/real-clock.js';
import { LinuxPlatform } from '../linux/platform.js';

export interface RunOptions {
  readonly file: string;
  readonly controlSocket?: string;
  readonly logLevel?: LevelWithSilent;
  readonly configId?: string;
}

/** How long a graceful stop may take before vrrpd exits anyway. */
const STOP_DEADLINE_MS = 1000;

export async function run(options: RunOptions): Promise<number> {
  const log = createLogger({ level: options.logLevel ?? 'info' });
  const loaded = loadConfigFile(options.file, options.configId !== undefined ? { configId: options.configId } : {});
  for (const issue of loaded.issues) process.stderr.write(formatIssue(issue) + '\n');
  if (hasErrors(loaded.issues)) {
    process.stderr.write(`vrrpd: ${options.file} has errors; not started\n`);
    return 1;
  }
  if (loaded.config.instances.length === 0) {
    process.stderr.write(`vrrpd: ${options.file} defines no vrrp_instance; nothing to run\n`);
    return 1;
  }

  const platform = new LinuxPlatform(log, {
    arpIntervalMs: loaded.config.global.garp.arpIntervalMs,
    naIntervalMs: loaded.config.global.garp.naIntervalMs,
    perInterface: announceTimings(loaded.config),
  });
  const daemon = new Daemon({
    instances: daemonInstances(loaded.config),
    platform,
    clock: new RealClock(),
    log,
    startupDelayMs: loaded.config.global.startupDelayMs,
  });
  // Closes the host side: VMACs this run created go, then netlink.
  const closePlatform = async (): Promise<void> => {
    await platform.removeVmacs().catch((error: unknown) => log.error({ event: 'vmac-remove-failed', error: (error as Error).message }, `could not remove VMACs: ${(error as Error).message}`));
    platform.close();
  };
  try {
    await platform.createVmacs(vmacSpecs(loaded.config));
    await daemon.start();
  } catch (error) {
    process.stderr.write(`vrrpd: ${(error as Error).message}\n`);
    await daemon.stop().catch(() => undefined);
    await closePlatform();
    return 1;
  }

  const handlers = new Map<string, CommandHandler>([
    ['ping', () => ({ pong: true, pid: process.pid })],
    ['status', () => ({ instances: daemon.status() })],
    ['priority', (request) => priorityCommand(daemon, request.args ?? {})],
  ]);
  const controlPath = options.controlSocket ?? DEFAULT_CONTROL_SOCKET;
  let control: ControlServer;
  try {
    control = await ControlServer.listen(controlPath, handlers);
  } catch (error) {
    process.stderr.write(`vrrpd: cannot open the control socket ${controlPath}: ${(error as Error).message}\n`);
    await daemon.stop();
    await closePlatform();
    return 1;
  }
  log.info({ event: 'started', config: options.file, instances: loaded.config.instances.map((i) => i.name), controlSocket: controlPath }, `vrrpd started with ${loaded.config.instances.length} instance(s)`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) return;
      stopping = true;
      log.info({ event: 'stopping', signal }, `${signal}: stopping (Masters hand over with priority 0)`);
      const deadline = setTimeout(() => resolve(0), STOP_DEADLINE_MS);
      void Promise.all([daemon.stop(), control.close()])
        .finally(closePlatform)
        .finally(() => {
          clearTimeout(deadline);
          resolve(0);
        });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => log.warn({ event: 'reload-unavailable' }, 'SIGHUP: reload is not implemented yet; the running configuration stays'));
  });
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
