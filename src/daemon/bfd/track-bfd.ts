// track_bfd: a kind of tracked object (src/tracking/registry.ts) that the BFD subsystem adds to
// keepalived's own. A tracker follows one bfd_instance's verdict (session-states.ts) and weighs
// as keepalived weighs it: by state, weight 0 meaning Fault while down (with reverse, while up).
import type { VrrpdConfig } from '../../config/model.js';
import type { Logger } from '../../core/log.js';
import type { TrackerType } from '../../tracking/registry.js';
import { Listeners, type Tracker } from '../../tracking/tracker.js';
import type { TrackerState } from '../../tracking/weights.js';
import type { BfdSessionStates } from './session-states.js';

export class BfdTracker implements Tracker {
  readonly kind = 'bfd';
  readonly arithmetic = 'state';
  private readonly listeners = new Listeners();
  private unsubscribe: (() => void) | undefined;
  private up: boolean;

  constructor(
    readonly name: string,
    private readonly states: BfdSessionStates,
    private readonly log?: Logger,
  ) {
    this.up = states.get(name).up;
  }

  get state(): TrackerState {
    return this.up ? 'ok' : 'failed';
  }

  get detail(): string {
    return this.states.get(this.name).detail;
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  start(): void {
    this.unsubscribe ??= this.states.subscribe(this.name, () => this.follow());
    this.follow();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private follow(): void {
    const up = this.states.get(this.name).up;
    if (up === this.up) return this.listeners.notify();
    this.up = up;
    // VRRP first (a Master's priority-0 advertisement leaves in the notification), the line after:
    // writing it first delayed the advertisement by the write (issue 15's failover bench).
    this.listeners.notify();
    // keepalived: "Tracked BFD instance X is UP|DOWN".
    this.log?.info({ event: 'tracked-bfd', bfd: this.name, up }, `tracked bfd_instance ${this.name} is ${up ? 'UP' : 'DOWN'}`);
  }
}

/** track_bfd, looking names up in `config`'s bfd_instances that notify VRRP. */
export function bfdTrackerType(config: VrrpdConfig, states: BfdSessionStates, log?: Logger): TrackerType {
  return {
    kind: 'bfd',
    references: (source) => source.trackBfd,
    lookup: (name) => {
      const instance = config.bfdInstances?.find((candidate) => candidate.name === name);
      // keepalived: a bfd_instance with `checker` and not `vrrp` is unknown to the VRRP process.
      if (!instance || !instance.notifies.vrrp) return undefined;
      return {
        // The tracker follows the session by name, whatever its timers: a reload keeps it.
        identity: name,
        weight: instance.weight,
        reverse: instance.reverse,
        create: () => new BfdTracker(name, states, log),
      };
    },
  };
}
