// What `vrrpd run` offers an operator besides status and the subsystems' own commands: reload (SIGHUP, control
// `reload`), keepalived-style dumps (SIGUSR1 data, SIGUSR2 stats, SIGRTMIN+2 JSON, control `dump`
// for all three), Prometheus metrics, HTTP health probes, and systemd's notify protocol around all
// of it.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { formatIssue, hasErrors } from '../../config/issues.js';
import type { LoadResult } from '../../config/keepalived/loader.js';
import { sendControlRequest } from '../../control/client.js';
import { CommandError, type CommandHandler } from '../../control/server.js';
import type { Logger } from '../../core/log.js';
import type { Daemon } from '../daemon.js';
import { DEFAULT_DUMP_PATHS, DUMP_FORMATS, type DumpFormat } from '../dump-formats.js';
import type { ReloadSummary } from '../reload-summary.js';
import { METRICS_CONTENT_TYPE } from '../vrrp/metrics.js';
import { CONTROL_PING_TIMEOUT_MS, healthRoutes, type DaemonPhase } from './health.js';
import type { HttpListener, HttpRoute, ListenAddress } from './http-listener.js';
import type { ServiceManagerPort, SignalPort } from './ports.js';
import { releaseStartupSignals, STARTUP_SIGNALS, type StartupSignal } from './startup-signals.js';

/** A reload the new configuration could not pass: nothing was changed. */
export class ReloadRejectedError extends Error {
  override readonly name = 'ReloadRejectedError';
  constructor(
    message: string,
    readonly issues: readonly string[],
  ) {
    super(issues.length > 0 ? `${message}\n${issues.join('\n')}` : message);
  }
}

export interface ReloadResult extends ReloadSummary {
  readonly warnings: readonly string[];
}

export interface OperationsOptions {
  readonly daemon: Daemon;
  readonly log: Logger;
  /** Names the configuration in logs. */
  readonly file: string;
  /** Reads the configuration again for a reload (the file, with interface detection on this host). */
  readonly load: () => Promise<LoadResult>;
  readonly dumpPaths?: Partial<Record<DumpFormat, string>>;
  readonly metrics?: ListenAddress;
  /** `--health`: the health probes alone (they are on the metrics listener too). */
  readonly health?: ListenAddress;
  /** The control socket, which liveness pings. */
  readonly controlSocket?: string;
  /** `--pid-file`: where tools that signal keepalived (exporters) look for its PID. */
  readonly pidFile?: string;
  /** systemd's notify protocol, when started by systemd (Type=notify). */
  readonly serviceManager?: ServiceManagerPort;
  /** keepalived's SIGRTMIN+2 (JSON dump), which Node cannot handle itself. */
  readonly jsonDumpSignal?: SignalPort;
}

export class Operations {
  private readonly notifier: ServiceManagerPort | undefined;
  private metrics: HttpListener | undefined;
  private health: HttpListener | undefined;
  private phase: DaemonPhase = 'starting';
  private reloads: Promise<unknown> = Promise.resolve();
  private statusTimer: NodeJS.Timeout | undefined;
  private readonly signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  private stopJsonSignal: (() => void) | undefined;

  constructor(private readonly options: OperationsOptions) {
    this.notifier = options.serviceManager;
  }

  /** Opens the metrics and health listeners and writes the PID file (if asked); throws with the reason when it cannot. */
  async start(): Promise<void> {
    const { metrics, health, pidFile } = this.options;
    if (pidFile) {
      try {
        writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o644 });
      } catch (error) {
        throw new Error(`cannot write the PID file ${pidFile}: ${(error as Error).message}`);
      }
    }
    const probes = this.healthRoutes();
    if (metrics) {
      const scrape: HttpRoute = () => ({ status: 200, contentType: METRICS_CONTENT_TYPE, body: this.options.daemon.metrics() });
      this.metrics = await listen('metrics', metrics, new Map([['/metrics', scrape], ...probes]));
    }
    if (health) this.health = await listen('health probes', health, probes);
  }

  get metricsAddress(): ListenAddress | undefined {
    return this.metrics?.address;
  }

  get healthAddress(): ListenAddress | undefined {
    return this.health?.address;
  }

  private healthRoutes(): Map<string, HttpRoute> {
    const { controlSocket } = this.options;
    return healthRoutes({
      phase: () => this.phase,
      pingControl: async () => {
        if (controlSocket === undefined) return;
        const response = await sendControlRequest(controlSocket, { command: 'ping' }, CONTROL_PING_TIMEOUT_MS);
        if (!response.ok) throw new Error(response.error.message);
      },
    });
  }

  /** Control commands: reload, dump. */
  handlers(): Array<[string, CommandHandler]> {
    return [
      ['reload', () => this.reload('control').catch((error: unknown) => Promise.reject(asCommandError(error)))],
      ['dump', (request) => this.dumpCommand(request.args ?? {})],
    ];
  }

  /** Tells systemd (and the readiness probe) vrrpd is ready, starts the watchdog and the signal handlers. */
  ready(): void {
    this.phase = 'running';
    this.notifier?.ready(this.statusLine());
    this.notifier?.startWatchdog(() => this.notifier?.status(this.statusLine()));
    if (this.notifier) {
      // STATUS= follows transitions within a second (systemctl status shows it).
      this.statusTimer = setInterval(() => this.notifier?.status(this.statusLine()), 1000);
      this.statusTimer.unref();
    }
    const actions: Record<StartupSignal, () => void> = {
      SIGHUP: () => void this.reload('SIGHUP').catch(() => undefined),
      SIGUSR1: () => void this.writeDump('data', 'SIGUSR1'),
      SIGUSR2: () => void this.writeDump('stats', 'SIGUSR2'),
    };
    for (const signal of STARTUP_SIGNALS) this.on(signal, actions[signal]);
    // What arrived while vrrpd started (bin/vrrpd held it): done now, with the started daemon.
    for (const signal of releaseStartupSignals()) {
      this.options.log.info({ event: 'startup-signal', signal }, `${signal} arrived during start-up: acting on it now`);
      actions[signal]();
    }
    // keepalived's SIGRTMIN+2, through the native shim (Node refuses realtime signals).
    try {
      this.stopJsonSignal = this.options.jsonDumpSignal?.(() => this.writeDump('json', 'SIGRTMIN+2'));
    } catch (error) {
      this.options.log.warn({ event: 'json-signal-unavailable', error: (error as Error).message }, `SIGRTMIN+2 (JSON dump) is not available: ${(error as Error).message}`);
    }
  }

  /** Graceful stop begins: systemd shows "deactivating". */
  stopping(): void {
    this.phase = 'stopping';
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.notifier?.stopping();
  }

  async close(): Promise<void> {
    for (const [signal, handler] of this.signalHandlers) process.off(signal, handler);
    this.stopJsonSignal?.();
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.notifier?.stopWatchdog();
    this.removePidFile();
    await Promise.all([this.metrics?.close(), this.health?.close()]);
  }

  /** "VI_1 Master, VI_2 Backup" (systemd's STATUS=). */
  statusLine(): string {
    return this.options.daemon.summary();
  }

  /**
   * Re-reads the configuration file and applies it. A file `vrrpd check` rejects, or one whose
   * instances cannot start, changes nothing and is reported with its errors. One at a time.
   */
  reload(trigger: 'SIGHUP' | 'control'): Promise<ReloadResult> {
    const next = this.reloads.then(() => this.reloadNow(trigger));
    this.reloads = next.catch(() => undefined);
    return next;
  }

  private async reloadNow(trigger: 'SIGHUP' | 'control'): Promise<ReloadResult> {
    const { daemon, log, file, load } = this.options;
    this.notifier?.reloading();
    log.info({ event: 'reloading', trigger, config: file }, `${trigger}: reloading ${file}`);
    try {
      const loaded = await load();
      const errors = loaded.issues.filter((issue) => issue.severity === 'error').map(formatIssue);
      const warnings = loaded.issues.filter((issue) => issue.severity === 'warning').map(formatIssue);
      if (hasErrors(loaded.issues)) throw new ReloadRejectedError(`${file} has errors; the running configuration stays`, errors);
      const nothing = daemon.nothingToRun(loaded.config);
      if (nothing) throw new ReloadRejectedError(`${file} ${nothing}; the running configuration stays`, []);
      let summary: ReloadSummary;
      try {
        summary = await daemon.reload(loaded.config);
      } catch (error) {
        throw new ReloadRejectedError(`the new configuration cannot be applied; the running configuration stays`, [(error as Error).message]);
      }
      // A misspelt keyword is ignored with a warning: a SIGHUP's caller sees nothing else of it.
      if (warnings.length > 0) log.warn({ event: 'reload-warnings', trigger, config: file, warnings }, `${trigger}: ${file} applied with ${warnings.length} warning${warnings.length === 1 ? '' : 's'}: ${warnings.join('; ')}`);
      return { ...summary, warnings };
    } catch (error) {
      const issues = error instanceof ReloadRejectedError ? error.issues : [];
      log.error({ event: 'reload-rejected', trigger, errors: issues, error: (error as Error).message.split('\n')[0] }, `reload rejected: ${(error as Error).message}`);
      throw error;
    } finally {
      this.notifier?.ready(this.statusLine());
    }
  }

  private dumpCommand(args: Record<string, unknown>): unknown {
    const format = args['format'];
    if (typeof format !== 'string' || !(DUMP_FORMATS as readonly string[]).includes(format)) {
      throw new CommandError('invalid-arguments', `"format" must be one of ${DUMP_FORMATS.join(', ')}`);
    }
    const chosen = format as DumpFormat;
    if (args['write'] === true) return { format: chosen, path: this.writeDump(chosen, 'control') };
    return { format: chosen, text: this.options.daemon.dump(chosen) };
  }

  /** Writes a dump where keepalived would (or where --*-file says); returns the path. */
  private writeDump(format: DumpFormat, trigger: string): string {
    const path = this.options.dumpPaths?.[format] ?? DEFAULT_DUMP_PATHS[format];
    try {
      writeFileSync(path, this.options.daemon.dump(format), { mode: 0o644 });
      this.options.log.info({ event: 'dump-written', format, path, trigger }, `${trigger}: ${format} dump written to ${path}`);
    } catch (error) {
      this.options.log.error({ event: 'dump-failed', format, path, error: (error as Error).message }, `${trigger}: cannot write ${path}: ${(error as Error).message}`);
      if (trigger === 'control') throw new CommandError('failed', `cannot write ${path}: ${(error as Error).message}`);
    }
    return path;
  }

  /** Removes the PID file if it is still ours (a newer vrrpd may have replaced it). */
  private removePidFile(): void {
    const { pidFile } = this.options;
    if (!pidFile) return;
    try {
      if (readFileSync(pidFile, 'utf8').trim() === String(process.pid)) rmSync(pidFile, { force: true });
    } catch {
      // already gone
    }
  }

  private on(signal: NodeJS.Signals, handler: () => void): void {
    process.on(signal, handler);
    this.signalHandlers.push([signal, handler]);
  }
}

async function listen(what: string, address: ListenAddress, routes: ReadonlyMap<string, HttpRoute>): Promise<HttpListener> {
  try {
    // node:http is loaded only for --metrics or --health: not every daemon serves them.
    const { HttpListener } = await import('./http-listener.js');
    return await HttpListener.listen(address, routes);
  } catch (error) {
    throw new Error(`cannot serve ${what} on ${address.host}:${address.port}: ${(error as Error).message}`);
  }
}

function asCommandError(error: unknown): Error {
  if (error instanceof ReloadRejectedError) return new CommandError('failed', error.message);
  return error as Error;
}

