// track_interface: an interface's link state, from the daemon's host events (netlink).
import type { Logger } from '../core/log.js';
import { Listeners, type LinkChange, type Tracker } from './tracker.js';
import type { TrackerState } from './weights.js';

export class InterfaceTracker implements Tracker {
  readonly kind = 'interface' as const;
  readonly arithmetic = 'state' as const;
  private up: boolean;
  private readonly listeners = new Listeners();

  constructor(
    readonly name: string,
    initiallyUp: boolean,
    private readonly log: Logger,
  ) {
    this.up = initiallyUp;
  }

  get state(): TrackerState {
    return this.up ? 'ok' : 'failed';
  }

  subscribe(listener: () => void): () => void {
    return this.listeners.add(listener);
  }

  linkChanged(change: LinkChange): void {
    if (change.interfaceName === this.name) this.setLink(change.up);
  }

  setLink(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    this.log[up ? 'info' : 'warn']({ event: 'tracker-changed', tracker: this.name, kind: 'interface', state: this.state }, `track_interface ${this.name}: link ${up ? 'up' : 'down'}`);
    this.listeners.notify();
  }

  start(): void {}
  stop(): void {}
}
