// A subsystem is one of vrrpd's capabilities as the daemon runs it: VRRP today; keepalived's
// checkers, its virtual_server half and BFD are to come, each as a subsystem of its own. The
// daemon (daemon.ts) starts the subsystems a configuration asks for, reloads, reports and stops
// them through this one interface, so adding one adds a folder, not a branch in the daemon.
import type { VrrpdConfig } from '../config/model.js';
import type { CommandHandler } from '../control/server.js';
import type { DumpFormat } from './dump-formats.js';
import type { ReloadSummary } from './reload-summary.js';

export interface Subsystem {
  /** `vrrp`, ...: names it in logs. */
  readonly name: string;
  /** Starts what the configuration it was created from asks for; throws, leaving nothing behind, if it cannot. */
  start(): Promise<void>;
  /**
   * Applies a new configuration. Checks first: a configuration it cannot apply throws before
   * anything changes, and what runs stays as it was.
   */
  reload(config: VrrpdConfig): Promise<ReloadSummary>;
  /**
   * Stops. Whatever must reach the network first (VRRP's priority-0 advertisements) leaves before
   * this returns its promise: the daemon calls every subsystem's stop without waiting in between.
   */
  stop(): Promise<void>;
  /** Its part of the control socket's `status` answer (VRRP: `{instances: [...]}`). */
  status(): Readonly<Record<string, unknown>>;
  /** Its Prometheus metric families, in the text exposition format; '' when it has none. */
  metrics(): string;
  /** One short line for systemd's STATUS= ("VI_1 Master, VI_2 Backup"). */
  summary(): string;
  /** keepalived's dump of this format, for the subsystems keepalived writes one for (VRRP). */
  dump?(format: DumpFormat): string;
  /** Control socket commands it answers (VRRP: `priority`). */
  commands(): ReadonlyArray<readonly [string, CommandHandler]>;
}

/** What the daemon knows of a subsystem before its code is loaded: its name, its block, whether a configuration asks for it. */
export interface SubsystemKind {
  readonly name: string;
  /** The block that asks for it, for "nothing to run" messages: `vrrp_instance`. */
  readonly block: string;
  /** The control socket commands its subsystems answer (VRRP: `priority`). */
  readonly commands: readonly string[];
  /** Whether the configuration has anything for this subsystem to run. */
  wanted(config: VrrpdConfig): boolean;
}

/** Makes a subsystem for the configurations that ask for it. */
export interface SubsystemFactory extends SubsystemKind {
  /** A subsystem for `config`; touches nothing on the host until started. */
  create(config: VrrpdConfig): Promise<Subsystem>;
}

/**
 * A factory whose code (and the host adapters it needs) is imported when a configuration first
 * asks for it: `vrrpd run` of VRRP alone loads none of the load balancer's or BFD's modules, which
 * cost start-up, before the first advertisement, tens of ms of module loading (issue 16).
 */
export function loadedOnDemand(kind: SubsystemKind, load: () => Promise<SubsystemFactory>): SubsystemFactory {
  let loading: Promise<SubsystemFactory> | undefined;
  return {
    name: kind.name,
    block: kind.block,
    commands: kind.commands,
    wanted: (config) => kind.wanted(config),
    create: async (config) => {
      // A failed import is tried again at the next start or reload rather than remembered.
      loading ??= load().catch((error: unknown) => {
        loading = undefined;
        throw error;
      });
      return (await loading).create(config);
    },
  };
}
