// What the daemon lets tracking, sync groups and notifications (src/tracking/supervisor.ts) see
// and do, as one narrow interface: the daemon runs the routers and forwards what they emit and
// what the host reports; the supervisor may fault routers and set their priority.
import type { RouterAction } from '../../vrrp/protocol/actions.js';
import type { VirtualRouter } from '../../vrrp/protocol/virtual-router.js';
import type { TrackerContribution } from '../../tracking/weights.js';
import type { HostEvent } from './ports.js';

export interface SupervisorContext {
  /** The priority weights apply to: the operator's override, else the configured one. */
  basePriority(instance: string): number;
  /** Link state of an interface at start (track_interface). */
  interfaceUp(interfaceName: string): Promise<boolean>;
}

/** Extra status of one instance: what tracking contributes and why it is in Fault. */
export interface SupervisedStatus {
  readonly trackers: readonly TrackerContribution[];
  readonly faultReasons: readonly string[];
  readonly syncGroup: string | null;
}

export interface DaemonHooks {
  /**
   * A reload: these hooks replace `previous`. Trackers whose definition did not change carry on
   * with their state (a failing check stays failed, so an unchanged instance does not move); the
   * previous hooks stop applying to the routers. Called before attach().
   */
  succeed(previous: DaemonHooks): void;
  /** Every router exists (at start none has started): join sync groups, read trackers, fault as needed. */
  attach(routers: ReadonlyMap<string, VirtualRouter>, context: SupervisorContext): Promise<void>;
  /** After the daemon performed an action of a router (transitions drive notifications). */
  routerAction(instance: string, action: RouterAction, priority: number): void;
  hostEvent(event: HostEvent): void;
  /** The effective priority for the current base (after an override changed it). */
  effectivePriority(instance: string): number;
  status(instance: string): SupervisedStatus;
  stop(): Promise<void>;
}
