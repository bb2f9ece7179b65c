// VRRP as a subsystem of the daemon (../subsystem.ts): the configuration's vrrp_instances as
// virtual routers on this host (routers.ts), with their tracking, sync groups and notifications
// (the supervisor), their use_vmac interfaces and the gratuitous ARP / NA pacing.
import type { VrrpdConfig } from '../../config/model.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import { CommandError, type CommandHandler } from '../../control/server.js';
import type { DumpFormat } from '../dump-formats.js';
import type { ReloadSummary } from '../reload-summary.js';
import type { Subsystem, SubsystemFactory } from '../subsystem.js';
import { announcePacing, routerBindings, vmacSpecs } from './binding.js';
import { dumpInstances, renderDump } from './dumps.js';
import type { DaemonHooks } from './hooks.js';
import { renderMetrics } from './metrics.js';
import type { Platform } from './ports.js';
import { InstanceNotFoundError, VrrpRouters } from './routers.js';

/** What VRRP needs from the host and the wiring. */
export interface VrrpHost {
  readonly platform: Platform;
  readonly clock: Clock;
  readonly log: Logger;
  /** Tracking, sync groups and notify scripts for a configuration (a reload gets new ones); none in some tests. */
  supervisor?(config: VrrpdConfig): Promise<DaemonHooks>;
}

export function vrrpSubsystem(host: VrrpHost): SubsystemFactory {
  return {
    name: 'vrrp',
    block: 'vrrp_instance',
    commands: ['priority'],
    wanted: (config) => config.instances.length > 0,
    create: async (config) => new VrrpSubsystem(config, host),
  };
}

export class VrrpSubsystem implements Subsystem {
  readonly name = 'vrrp';
  private started: VrrpRouters | undefined;

  constructor(
    private readonly config: VrrpdConfig,
    private readonly host: VrrpHost,
  ) {}

  /** The virtual routers (after start). */
  get routers(): VrrpRouters {
    if (!this.started) throw new Error('the VRRP subsystem has not started');
    return this.started;
  }

  async start(): Promise<void> {
    const { platform, clock, log } = this.host;
    const config = this.config;
    platform.configureAnnouncements?.(announcePacing(config));
    const hooks = await this.host.supervisor?.(config);
    this.started = new VrrpRouters({
      bindings: routerBindings(config),
      platform,
      clock,
      log,
      startupDelayMs: config.global.startupDelayMs,
      ...(hooks ? { hooks } : {}),
    });
    await platform.vmacs?.create(vmacSpecs(config));
    await this.started.start();
  }

  async reload(config: VrrpdConfig): Promise<ReloadSummary> {
    const { platform, log } = this.host;
    // As keepalived: the VMACs of added instances exist before they start, and those of removed
    // instances go once these have handed over.
    const vmacs = vmacSpecs(config);
    const hooks = await this.host.supervisor?.(config);
    let created: string[] = [];
    let summary: ReloadSummary;
    try {
      created = (await platform.vmacs?.create(vmacs)) ?? [];
      summary = await this.routers.reload(routerBindings(config), hooks);
    } catch (error) {
      await hooks?.stop();
      await platform.vmacs?.remove(created);
      throw error;
    }
    platform.configureAnnouncements?.(announcePacing(config));
    await platform.vmacs?.keepOnly(vmacs).catch((error: unknown) => {
      log.error({ event: 'vmac-remove-failed', error: (error as Error).message }, `could not remove VMACs: ${(error as Error).message}`);
    });
    return summary;
  }

  async stop(): Promise<void> {
    // The routers' stop sends every Master's priority 0 before it first waits.
    await this.started?.stop();
    const { platform, log } = this.host;
    await platform.vmacs?.removeAll().catch((error: unknown) => {
      log.error({ event: 'vmac-remove-failed', error: (error as Error).message }, `could not remove VMACs: ${(error as Error).message}`);
    });
  }

  status(): { instances: ReturnType<VrrpRouters['status']> } {
    return { instances: this.started?.status() ?? [] };
  }

  metrics(): string {
    return this.started ? renderMetrics(dumpInstances(this.started)) : '';
  }

  summary(): string {
    const states = this.started?.status().map((s) => `${s.name} ${s.state}`) ?? [];
    return states.length > 0 ? states.join(', ') : 'no instances';
  }

  dump(format: DumpFormat): string {
    return renderDump(format, this.started ? dumpInstances(this.started) : []);
  }

  commands(): ReadonlyArray<readonly [string, CommandHandler]> {
    return [['priority', (request) => this.priorityCommand(request.args ?? {})]];
  }

  /** The control socket's `priority` command: `{instance, priority}` or `{instance, reset: true}`. */
  private priorityCommand(args: Record<string, unknown>): unknown {
    const instance = args['instance'];
    if (typeof instance !== 'string') throw new CommandError('invalid-arguments', '"instance" must be the name of a vrrp_instance');
    const value = args['priority'];
    if (args['reset'] !== true && typeof value !== 'number') throw new CommandError('invalid-arguments', 'give "priority" (1..254) or "reset": true');
    try {
      return this.routers.setPriorityOverride(instance, args['reset'] === true ? undefined : (value as number));
    } catch (error) {
      if (error instanceof InstanceNotFoundError || error instanceof RangeError) throw new CommandError('invalid-arguments', error.message);
      throw error;
    }
  }
}
