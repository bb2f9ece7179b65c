// BFD as a subsystem of the daemon (../subsystem.ts): the configuration's bfd_instances as
// sessions in a runtime of their own (ports.ts; a worker thread on Linux), their state changes
// logged and handed to VRRP's track_bfd (session-states.ts), their state in `vrrpd status` and
// in metrics.
import type { VrrpdConfig } from '../../config/model.js';
import type { Logger } from '../../core/log.js';
import { diagnosticText } from '../../bfd/packet.js';
import type { CommandHandler } from '../../control/server.js';
import type { ReloadSummary } from '../reload-summary.js';
import type { Subsystem, SubsystemFactory } from '../subsystem.js';
import { BFD_KIND } from './kind.js';
import { renderBfdMetrics } from './metrics.js';
import type { BfdRuntime, BfdStatus } from './ports.js';
import type { BfdSessionStates } from './session-states.js';
import { sessionSpecs } from './specs.js';

export interface BfdHost {
  /** A new runtime (each start of the subsystem gets one); `rtPriority`: global_defs' bfd_rt_priority. */
  runtime(options: { readonly rtPriority?: number }): BfdRuntime;
  readonly log: Logger;
  /** Where track_bfd reads the sessions' verdicts; shared with the VRRP supervisor. */
  readonly states: BfdSessionStates;
}

export function bfdSubsystem(host: BfdHost): SubsystemFactory {
  return {
    ...BFD_KIND,
    create: async (config) => new BfdSubsystem(config, host),
  };
}

/** How reload summaries name a session beside the VRRP instances. */
const label = (name: string): string => `bfd_instance ${name}`;

export class BfdSubsystem implements Subsystem {
  readonly name = 'bfd';
  private runtime: BfdRuntime | undefined;

  constructor(
    private readonly config: VrrpdConfig,
    private readonly host: BfdHost,
  ) {}

  async start(): Promise<void> {
    const { log, states } = this.host;
    const rtPriority = this.config.global.bfdRtPriority;
    const runtime = this.host.runtime(rtPriority !== undefined ? { rtPriority } : {});
    runtime.onStateChange((session, change) => {
      states.changed(session, change);
      const reason = change.to === 'Down' || change.to === 'AdminDown' ? ` (${diagnosticText(change.diag)}${change.remoteState === 'AdminDown' ? ', the neighbour is AdminDown' : ''})` : '';
      // keepalived logs leaving Up as a warning; the handshake's steps are details.
      const level = change.from === 'Up' ? 'warn' : 'info';
      log[level](
        { event: 'bfd-state', bfd: session, from: change.from, to: change.to, diag: change.diag, remoteState: change.remoteState, remoteDiag: change.remoteDiag },
        `bfd_instance ${session}: ${change.from} -> ${change.to}${reason}`,
      );
    });
    runtime.onError((error) => log.error({ event: 'bfd-error', error: error.message }, `BFD: ${error.message}`));
    try {
      await runtime.configure(sessionSpecs(this.config));
    } catch (error) {
      await runtime.stop().catch(() => undefined);
      throw error;
    }
    states.keepOnly(this.sessionNames(this.config));
    this.runtime = runtime;
    // The worker thread's priority (src/linux/bfd/worker.ts): without CAP_SYS_NICE it runs at the
    // daemon's, and BFD at 10-50 ms shares the cores with everything else (bench/RESULTS.md "BFD").
    const thread = runtime.threadPriority;
    const priority = !thread ? '' : thread.error === undefined ? `; its thread at nice ${thread.nice}` : `; its thread at the daemon's priority (${thread.error}: nice ${thread.nice} needs CAP_SYS_NICE)`;
    // bfd_rt_priority: the pacer thread under SCHED_RR, or why not.
    const realtime = !thread?.rtPriority ? '' : thread.rtError === undefined ? `; its pacer under SCHED_RR priority ${thread.rtPriority}` : `; its pacer not realtime (${thread.rtError}: bfd_rt_priority ${thread.rtPriority} needs CAP_SYS_NICE)`;
    log.info(
      {
        event: 'bfd-started',
        sessions: this.sessionNames(this.config),
        ...(thread ? { threadNice: thread.error === undefined ? thread.nice : null } : {}),
        ...(thread?.rtPriority ? { pacerRtPriority: thread.rtError === undefined ? thread.rtPriority : null } : {}),
      },
      `BFD: ${this.sessionNames(this.config).join(', ')}${priority}${realtime}`,
    );
  }

  async reload(config: VrrpdConfig): Promise<ReloadSummary> {
    if (!this.runtime) throw new Error('the BFD subsystem has not started');
    const changes = await this.runtime.configure(sessionSpecs(config));
    this.host.states.keepOnly(this.sessionNames(config));
    return {
      unchanged: changes.unchanged.map(label),
      // Timers and roles change in place (a Poll Sequence while Up); new addresses mean a new session.
      updated: changes.updated.map((name) => ({ instance: label(name), changes: ['timers'] })),
      restarted: changes.replaced.map((name) => ({ instance: label(name), changes: ['addresses'] })),
      removed: changes.removed.map(label),
      added: changes.added.map(label),
    };
  }

  async stop(): Promise<void> {
    const runtime = this.runtime;
    this.runtime = undefined;
    await runtime?.stop();
  }

  status(): { bfd: BfdStatus | null } {
    return { bfd: this.runtime?.status() ?? null };
  }

  metrics(): string {
    return this.runtime ? renderBfdMetrics(this.runtime.status()) : '';
  }

  summary(): string {
    const sessions = this.runtime?.status().sessions ?? [];
    return sessions.map((session) => `bfd ${session.name} ${session.state}`).join(', ');
  }

  commands(): ReadonlyArray<readonly [string, CommandHandler]> {
    return [];
  }

  private sessionNames(config: VrrpdConfig): string[] {
    return (config.bfdInstances ?? []).map((instance) => instance.name);
  }
}
