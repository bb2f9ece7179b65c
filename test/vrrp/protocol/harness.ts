// Drives one VirtualRouter by hand: a virtual clock, a list of what it emitted, and
// advertisements built from a few fields. Used by the §6.4 conformance tests.
import type { Advertisement } from '../../../src/vrrp/packet/advertisement.js';
import type { RouterAction } from '../../../src/vrrp/protocol/actions.js';
import { VirtualRouter } from '../../../src/vrrp/protocol/virtual-router.js';
import { routerConfigFromSpec, type RouterSpec } from '../../../src/sim/lan.js';
import { VirtualClock } from '../../../src/core/virtual-clock.js';

export const LOCAL = '192.0.2.10';
export const PEER_HIGHER_ADDRESS = '192.0.2.20';
export const PEER_LOWER_ADDRESS = '192.0.2.5';

export class Harness {
  readonly clock = new VirtualClock();
  readonly actions: Array<{ time: number; action: RouterAction }> = [];
  readonly router: VirtualRouter;

  /** `observe`: told of each action after it is recorded (a test's host reacting to them). */
  constructor(spec: Partial<RouterSpec> = {}, observe?: (action: RouterAction) => void) {
    this.router = new VirtualRouter(routerConfigFromSpec({ name: 'VI_1', priority: 100, ...spec }), {
      clock: this.clock,
      primaryAddress: LOCAL,
      emit: (action) => {
        this.actions.push({ time: this.clock.now(), action });
        observe?.(action);
      },
    });
  }

  /** Actions emitted since the last call, as short strings. */
  take(): string[] {
    const out = this.actions.map(({ time, action }) => `${time} ${short(action)}`);
    this.actions.length = 0;
    return out;
  }

  /** `receivedAt`: when the packet arrived, before now when it is read late (ReceivedPacketInfo). */
  advertise(priority: number, options: { from?: string; intervalMs?: number; ttl?: number; receivedAt?: number } = {}): ReturnType<VirtualRouter['receive']> {
    const config = this.router.config;
    const intervalMs = options.intervalMs ?? config.advertIntervalMs;
    const advertisement: Advertisement =
      config.version === 2
        ? {
            version: 2,
            vrid: config.vrid,
            priority,
            advertIntervalSeconds: intervalMs / 1000,
            authType: 0,
            authData: new Uint8Array(8),
            addresses: config.virtualAddresses,
          }
        : { version: 3, vrid: config.vrid, priority, maxAdvertIntervalCs: intervalMs / 10, addresses: config.virtualAddresses };
    return this.router.receive(advertisement, { source: options.from ?? PEER_HIGHER_ADDRESS, ttl: options.ttl ?? 255, receivedAt: options.receivedAt });
  }

  /** Starts the router and runs it into Backup, discarding the startup actions. */
  startAsBackup(): this {
    this.router.start();
    this.take();
    return this;
  }

  /** Starts the router and lets the Master_Down_Timer run out, discarding those actions. */
  startAsMaster(): this {
    this.router.start();
    this.clock.advanceBy(this.router.status().masterDownIntervalMs);
    this.take();
    return this;
  }
}

export function short(action: RouterAction): string {
  switch (action.type) {
    case 'transition':
      return `${action.from}->${action.to} ${action.reason}`;
    case 'send-advertisement':
      return `advertise ${action.advertisement.priority}`;
    case 'add-addresses':
      return `add ${action.addresses.join(',')}`;
    case 'remove-addresses':
      return `remove ${action.addresses.join(',')}`;
    case 'announce-addresses':
      return `announce ${action.count}`;
    case 'priority-changed':
      return `priority ${action.from}->${action.to}`;
    case 'lower-priority-master':
      return `lower-priority Master ${action.peer.address} ${action.peer.priority}`;
  }
}
