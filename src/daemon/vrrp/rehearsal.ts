// A failover rehearsed at start, sending nothing. V8 compiles a function the first time it runs,
// runs it interpreted at first, and optimised code meeting a case it never saw (the first
// priority-0 advertisement) falls back to the interpreter. So the first failover of a process ran
// cold code: at 20 ms advertisements a Backup's first advertisement after a priority-0 one left
// about 0.8 ms later, and its gratuitous ARP 1.4 ms later, than in that process's later failovers
// (which matched keepalived's). The rehearsal plays an instance's part once, on a virtual clock:
// a peer that outranks it advertises (encoded and decoded as on the wire), hands over with
// priority 0, the instance becomes Master and then shuts down. Its actions go to ports that encode
// advertisements and build announcement frames but send, install and log nothing.
import { encodeAdvertisement } from '../../vrrp/packet/advertisement.js';
import { dispatchPacket } from '../../vrrp/protocol/dispatch.js';
import { OWNER_PRIORITY } from '../../vrrp/protocol/priority.js';
import { masterDownInterval } from '../../vrrp/protocol/timers.js';
import { VirtualRouter } from '../../vrrp/protocol/virtual-router.js';
import { VirtualClock } from '../../core/virtual-clock.js';
import type { RouterBinding } from './binding.js';
import { HostActions } from './host-actions.js';
import type { Logger } from '../../core/log.js';
import type { AnnouncePort } from './ports.js';

/** What the rehearsal needs of a running instance: its binding, address and announcer. */
export interface Rehearsed {
  readonly binding: RouterBinding;
  /** The source of its advertisements. */
  readonly source: string;
  readonly announcer: AnnouncePort;
}

export function rehearseFailover({ binding, source, announcer }: Rehearsed, log: Logger): void {
  const config = binding.router;
  const clock = new VirtualClock();
  const actions = new HostActions(
    binding,
    {
      channel: { sourceAddress: source, send: () => undefined },
      addresses: { add: nothing, addNow: () => true, remove: nothing },
      routes: { addRoute: nothing, removeRoute: nothing, addRule: nothing, removeRule: nothing },
      announcer: { announce: (addresses) => announcer.prepare(addresses), prepare: (addresses) => announcer.prepare(addresses) },
    },
    log.child({}, { level: 'silent' }),
  );
  const router: VirtualRouter = new VirtualRouter(config, { clock, primaryAddress: source, emit: (action) => actions.perform(action, router.priority) });
  // The peer is an address the instance accepts: its first unicast peer, or (multicast) any other.
  const peerSource = config.unicastPeers[0] ?? (config.family === 'ipv4' ? '0.0.0.0' : '::');
  const ip = { family: config.family, source: peerSource, destination: binding.destinations[0] ?? source };
  const peer = new VirtualRouter(
    { ...config, priority: OWNER_PRIORITY },
    {
      clock,
      primaryAddress: peerSource,
      emit: (action) => {
        if (action.type !== 'send-advertisement') return;
        const bytes = encodeAdvertisement(action.advertisement, ip, config.checksumFlavour);
        dispatchPacket([router], { bytes, ip, ttl: 255 });
      },
    },
  );
  const interval = config.advertIntervalMs;
  peer.start(0);
  router.start(0);
  clock.advanceBy(3 * interval);
  peer.shutdown();
  clock.advanceBy(masterDownInterval(config.version, config.priority, interval) + interval);
  router.shutdown();
}

async function nothing(): Promise<void> {}
