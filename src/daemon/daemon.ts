// The daemon: the subsystems a configuration asks for (subsystem.ts), started, reloaded, reported
// and stopped together. It knows no protocol; `vrrpd run` gives it the factories it composes.
import type { VrrpdConfig } from '../config/model.js';
import { CommandError, type CommandHandler } from '../control/server.js';
import type { Logger } from '../core/log.js';
import type { DumpFormat } from './dump-formats.js';
import type { ReloadSummary } from './reload-summary.js';
import type { Subsystem, SubsystemFactory } from './subsystem.js';

const NOTHING_DONE: ReloadSummary = { unchanged: [], updated: [], restarted: [], removed: [], added: [] };

export class Daemon {
  /** The running subsystems, in the factories' order. */
  private readonly running = new Map<string, Subsystem>();

  constructor(
    private readonly factories: readonly SubsystemFactory[],
    private readonly log: Logger,
  ) {}

  /** Why `config` gives the daemon nothing to do ("defines no vrrp_instance"), or undefined. */
  nothingToRun(config: VrrpdConfig): string | undefined {
    if (this.factories.some((factory) => factory.wanted(config))) return undefined;
    return `defines no ${this.factories.map((factory) => factory.block).join(' or ')}`;
  }

  /** Starts every subsystem `config` asks for, in order; if one cannot start, those started stop again. */
  async start(config: VrrpdConfig): Promise<void> {
    for (const factory of this.factories) {
      if (!factory.wanted(config)) continue;
      const subsystem = await factory.create(config);
      this.running.set(factory.name, subsystem);
      try {
        await subsystem.start();
      } catch (error) {
        await this.stop().catch(() => undefined);
        throw error;
      }
    }
  }

  /**
   * Applies a new configuration: running subsystems it still asks for reload, those it no longer
   * asks for stop, new ones start. Each subsystem checks before it changes anything, so a
   * configuration the first one rejects changes nothing at all.
   */
  async reload(config: VrrpdConfig): Promise<ReloadSummary> {
    const summaries: ReloadSummary[] = [];
    for (const factory of this.factories) {
      const running = this.running.get(factory.name);
      if (running && factory.wanted(config)) summaries.push(await running.reload(config));
      else if (running) {
        await running.stop();
        this.running.delete(factory.name);
        this.log.info({ event: 'subsystem-stopped', subsystem: factory.name }, `${factory.name}: stopped (the configuration has no ${factory.block} any more)`);
      } else if (factory.wanted(config)) {
        const subsystem = await factory.create(config);
        await subsystem.start();
        this.running.set(factory.name, subsystem);
        this.log.info({ event: 'subsystem-started', subsystem: factory.name }, `${factory.name}: started`);
      }
    }
    return summaries.reduce(merge, NOTHING_DONE);
  }

  /** Stops every subsystem; each one's stop is called before any is waited for (hand-over packets first). */
  async stop(): Promise<void> {
    const stopping = [...this.running.values()].map((subsystem) => subsystem.stop());
    this.running.clear();
    await Promise.all(stopping);
  }

  /** The control socket's `status` answer: every subsystem's part. */
  status(): Record<string, unknown> {
    return Object.assign({}, ...[...this.running.values()].map((subsystem) => subsystem.status()));
  }

  metrics(): string {
    return [...this.running.values()].map((subsystem) => subsystem.metrics()).filter((text) => text !== '').join('\n');
  }

  /** "VI_1 Master, VI_2 Backup" (systemd's STATUS=). */
  summary(): string {
    return [...this.running.values()].map((subsystem) => subsystem.summary()).filter((line) => line !== '').join('; ') || 'nothing running';
  }

  /**
   * Every control command a subsystem can answer, for the control socket. Each request goes to the
   * subsystem running now, so one a reload starts answers at once.
   */
  commands(): Array<[string, CommandHandler]> {
    return this.factories.flatMap((factory) =>
      factory.commands.map((name): [string, CommandHandler] => [
        name,
        (request) => {
          const handler = this.running.get(factory.name)?.commands().find(([candidate]) => candidate === name)?.[1];
          if (!handler) throw new CommandError('failed', `${name}: nothing runs it, the configuration has no ${factory.block}`);
          return handler(request);
        },
      ]),
    );
  }

  /** keepalived's dump of this format: the parts of the subsystems that write one. */
  dump(format: DumpFormat): string {
    return [...this.running.values()].flatMap((subsystem) => subsystem.dump?.(format) ?? []).join('');
  }
}

function merge(a: ReloadSummary, b: ReloadSummary): ReloadSummary {
  return {
    unchanged: [...a.unchanged, ...b.unchanged],
    updated: [...a.updated, ...b.updated],
    restarted: [...a.restarted, ...b.restarted],
    removed: [...a.removed, ...b.removed],
    added: [...a.added, ...b.added],
  };
}
