// Carries out what one virtual router asks for (RouterAction) on the host, and logs what an
// operator needs to know: the transition with its reason, the addresses added or removed.
import { encodeAdvertisement, sameAdvertisement, type Advertisement } from '../../vrrp/packet/advertisement.js';
import type { RouterAction } from '../../vrrp/protocol/actions.js';
import type { Logger } from '../../core/log.js';
import { routeText, ruleText } from '../../config/route-text.js';
import type { RouterBinding } from './binding.js';
import type { AddressPort, AdvertisementChannel, AnnouncePort, RoutePort, VirtualAddressSpec, VirtualRouteSpec, VirtualRuleSpec } from './ports.js';
import { SerialQueue } from '../../core/serial-queue.js';
import type { HeldSends } from '../../vrrp/protocol/held-sends.js';

export interface HostActionPorts {
  readonly channel: AdvertisementChannel;
  readonly addresses: AddressPort;
  readonly announcer: AnnouncePort;
  /** Needed only by instances with virtual_routes / virtual_rules. */
  readonly routes?: RoutePort;
}

/** A priority-0 advertisement armed with the host (AdvertisementChannel.armResignation). */
interface ArmedResignation {
  /** The bytes of the advertisement it was made from. */
  readonly from: Uint8Array;
  readonly bytes: Uint8Array;
  readonly withdraw: () => void;
}

/** What one change of routes or rules touches. */
interface RouteChanges {
  readonly routes: readonly VirtualRouteSpec[];
  readonly rules: readonly VirtualRuleSpec[];
}

export class HostActions {
  private readonly queue = new SerialQueue();
  /** Addresses vrrpd has installed for this instance (and not removed since). */
  readonly installed = new Set<string>();
  /** The addresses-added line waiting behind the announcement (see 'add-addresses'). */
  private pendingLine: (() => void) | undefined;
  /** Lower-priority Masters heard while Master, logged once each per mastership (made at the first: most instances never hear one). */
  private lowerMastersLogged: Set<string> | undefined;
  /** Per destination, the last advertisement sent and its bytes (never modified once sent). */
  private readonly lastEncoded = new Map<string, { readonly advertisement: Advertisement; readonly source: string; readonly bytes: Uint8Array }>();
  /**
   * While Master, per version and destination, the priority-0 advertisement armed for the host to
   * send from its SIGTERM / SIGINT handler (AdvertisementChannel.armResignation), and the bytes of
   * the advertisement it was made from: the same bytes sent again need no new one.
   */
  private readonly resignations = { 2: new Map<string, ArmedResignation>(), 3: new Map<string, ArmedResignation>() };
  /**
   * Advertisements sent whose priority-0 twin is still to be armed: armed after this turn's
   * packets, not between a Backup's first advertisement and its gratuitous ARPs at a takeover.
   */
  private readonly toArm: Array<{ readonly advertisement: Advertisement; readonly source: string; readonly destination: string; readonly sent: Uint8Array }> = [];

  /**
   * Whether the channel may send this Master's advertisements itself (holdSends). A field, not a
   * getter: read at every advertisement a Master sends, a getter first ran (and was compiled, V8's
   * function events) at a Backup's takeover, between its Master_Down_Timer and its advertisement.
   */
  mayHoldSends: boolean;

  constructor(
    private binding: RouterBinding,
    private ports: HostActionPorts,
    private readonly log: Logger,
  ) {
    this.mayHoldSends = ports.channel.holdSends !== undefined;
  }

  /** The instance's source address changed: advertisements go out through this channel. */
  reattach(channel: AdvertisementChannel): void {
    this.withdrawResignations();
    this.ports = { ...this.ports, channel };
    this.mayHoldSends = channel.holdSends !== undefined;
  }

  /**
   * The instance is no longer Master: its armed priority-0 advertisements go at once, not when the
   * transition is logged (after the packets): a Backup's priority 0 on SIGTERM would make the
   * other Backups take over from the Master.
   */
  leftMaster(): void {
    this.withdrawResignations();
  }

  perform(action: RouterAction, priority: number): void {
    const instance = this.binding.router.name;
    switch (action.type) {
      case 'send-advertisement':
        this.send(action.advertisement);
        return;
      case 'add-addresses': {
        // keepalived: routes and rules follow the addresses (a route's src or via needs them).
        // Without routes, what the core queues next is the announcement (RFC 5798 §6.4.2): the
        // line saying the addresses were added waits behind it, so that a Backup taking over sends
        // its gratuitous ARPs without first writing a log line (0.1-0.2 ms, issue 16). With routes
        // the lines stay in the order of the changes.
        const routes = this.configuredRoutes();
        const withoutRoutes = routes.routes.length === 0 && routes.rules.length === 0;
        const left = withoutRoutes ? this.addAtOnce() : this.binding.addresses;
        if (left.length > 0) this.enqueue(() => this.changeAddresses('add', left, withoutRoutes ? 'after-next' : 'now'), (error) => this.logAddressFailure('add', error));
        this.enqueueRoutes('add', routes);
        return;
      }
      case 'remove-addresses':
        // The reverse order: rules, routes, then the addresses they use.
        this.enqueueRoutes('remove', this.configuredRoutes());
        this.enqueue(() => this.changeAddresses('remove'), (error) => this.logAddressFailure('remove', error));
        return;
      case 'announce-addresses': {
        // After the addresses are in place, as keepalived announces them: a neighbour that learns
        // the VIP's new MAC must find the address there when its traffic arrives. With nothing
        // queued (the adds done in this call, see addAtOnce), in this call too.
        const announce = (): void => this.ports.announcer.announce(action.addresses, action.count);
        const onError = (error: unknown): void =>
          this.log.error({ event: 'announce-failed', instance, error: (error as Error).message }, `${instance}: could not announce ${action.addresses.join(' ')}: ${(error as Error).message}`);
        if (!this.queue.idle) {
          this.enqueue(async () => announce(), onError, 'announcement');
          return;
        }
        try {
          announce();
        } catch (error) {
          onError(error);
        }
        return;
      }
      case 'priority-changed':
        // Logged where it is decided: tracking (priority-changed) or the operator (priority-override).
        return;
      case 'lower-priority-master': {
        const { address, priority: theirs } = action.peer;
        if (this.lowerMastersLogged?.has(address)) return;
        (this.lowerMastersLogged ??= new Set()).add(address);
        this.log.warn(
          { event: 'lower-priority-master', instance, peer: address, peerPriority: theirs, priority },
          `${instance}: ${address} advertises as Master at priority ${theirs} (ours ${priority}): it does not hear us; ${this.binding.router.lowerPrioNoAdvert ? 'not answered (lower_prio_no_advert)' : 'answering with an advertisement'}`,
        );
        return;
      }
      case 'transition': {
        if (action.from === 'Master') this.lowerMastersLogged?.clear();
        const peer = action.peer ? ` (heard ${action.peer.address} at priority ${action.peer.priority})` : '';
        const detail = action.detail ? `: ${action.detail}` : '';
        this.log.info(
          {
            event: 'transition',
            instance,
            vrid: this.binding.router.vrid,
            interface: this.binding.interfaceName,
            from: action.from,
            to: action.to,
            reason: action.reason,
            ...(action.detail ? { detail: action.detail } : {}),
            ...(action.peer ? { peer: action.peer.address, peerPriority: action.peer.priority } : {}),
            priority,
          },
          `${instance}: ${action.from} -> ${action.to} (${action.reason}${detail})${peer}`,
        );
        return;
      }
    }
  }

  /**
   * A reload changed the instance in place: later actions use the new binding, and the announcer
   * builds the frames of its addresses now (dropping those of the addresses it no longer has), as it
   * did at start. While Master, the addresses the reload removed go and those it added are
   * installed, then announced (garp_master_repeat), as becoming Master would have done for them.
   */
  rebind(binding: RouterBinding, isMaster: boolean): void {
    const previous = this.binding;
    this.binding = binding;
    this.ports.announcer.prepare(binding.router.virtualAddresses);
    if (!isMaster) return;
    const key = (spec: VirtualAddressSpec): string => JSON.stringify([spec.address, spec.prefixLength, spec.device, spec.label, spec.scope, spec.broadcast]);
    const before = new Set(previous.addresses.map(key));
    const after = new Set(binding.addresses.map(key));
    const removed = previous.addresses.filter((spec) => !after.has(key(spec)));
    const added = binding.addresses.filter((spec) => !before.has(key(spec)));
    const routesBefore = this.configuredRoutes(previous);
    const routesAfter = this.configuredRoutes(binding);
    this.enqueueRoutes('remove', { routes: missing(routesBefore.routes, routesAfter.routes), rules: missing(routesBefore.rules, routesAfter.rules) });
    if (removed.length > 0) this.enqueue(() => this.changeAddresses('remove', removed), (error) => this.logAddressFailure('remove', error));
    if (added.length === 0) {
      this.addRoutesAfterRebind(previous, binding);
      return;
    }
    this.enqueue(
      async () => {
        await this.changeAddresses('add', added);
        const count = binding.router.announcements.masterRepeat;
        if (count > 0) this.ports.announcer.announce(added.map((spec) => spec.address), count);
      },
      (error) => this.logAddressFailure('add', error),
    );
    this.addRoutesAfterRebind(previous, binding);
  }

  private addRoutesAfterRebind(previous: RouterBinding, binding: RouterBinding): void {
    const before = this.configuredRoutes(previous);
    const after = this.configuredRoutes(binding);
    this.enqueueRoutes('add', { routes: missing(after.routes, before.routes), rules: missing(after.rules, before.rules) });
  }

  /**
   * Queues a task. A line left pending by an address change ('after-next') is written before the
   * next task starts, or after it when it is the announcement: the log keeps the order of the
   * changes, and the gratuitous ARPs do not wait for it.
   */
  private enqueue(task: () => Promise<void>, onError: (error: unknown) => void, kind: 'announcement' | 'change' = 'change'): void {
    void this.queue.enqueue(async () => {
      if (kind === 'change') this.writePendingLine();
      await task();
      if (kind === 'announcement') this.writePendingLine();
    }, onError);
  }

  private writePendingLine(): void {
    const line = this.pendingLine;
    this.pendingLine = undefined;
    line?.();
  }

  /** Resolves when queued address changes are done (used on shutdown). */
  settled(): Promise<void> {
    return this.queue.drain();
  }

  /** Someone else removed an address while we are Master: put it back, unless it is no_track. */
  removedByOthers(spec: VirtualAddressSpec): void {
    if (spec.noTrack) {
      this.installed.delete(spec.address);
      this.log.warn(
        { event: 'address-lost', instance: this.binding.router.name, address: `${spec.address}/${spec.prefixLength}`, device: spec.device },
        `${this.binding.router.name}: ${spec.address} was removed by someone else while Master; not put back (no_track) until the next mastership`,
      );
      return;
    }
    this.log.warn(
      { event: 'address-restored', instance: this.binding.router.name, address: `${spec.address}/${spec.prefixLength}`, device: spec.device },
      `${this.binding.router.name}: ${spec.address} was removed by someone else while Master; putting it back`,
    );
    this.enqueue(
      async () => {
        await this.ports.addresses.add(spec);
        this.installed.add(spec.address);
      },
      (error) => this.logAddressFailure('add', error),
    );
    // The kernel dropped the routes whose src was that address along with it.
    const routes = this.configuredRoutes().routes.filter((route) => route.source === spec.address);
    this.enqueueRoutes('add', { routes, rules: [] });
  }

  /**
   * Encodes, ahead, the advertisement the instance will send next (VirtualRouter.nextAdvertisement):
   * at start, so that a Backup's first advertisement, at its takeover, is not encoded then. Encoding
   * there, in code cold however often the start-up rehearsal ran it, took 45-100 us between the
   * Master_Down_Timer's expiry and the send on a 2-core machine (in-process marks, issue 16).
   */
  prepareAdvertisement(advertisement: Advertisement): void {
    const source = this.ports.channel.sourceAddress;
    for (const destination of this.binding.destinations) this.encoded(advertisement, source, destination);
  }

  /**
   * A Master sends the same bytes every Adver_Interval until its priority, addresses or source
   * change: encoded once, not 1000 times a second at 1000 instances (issue 16).
   */
  private encoded(advertisement: Advertisement, source: string, destination: string): Uint8Array {
    const last = this.lastEncoded.get(destination);
    if (last && last.source === source && sameAdvertisement(last.advertisement, advertisement)) return last.bytes;
    const { router } = this.binding;
    const bytes = encodeAdvertisement(advertisement, { family: router.family, source, destination }, router.checksumFlavour);
    this.lastEncoded.set(destination, { advertisement, source, bytes });
    return bytes;
  }

  /**
   * Hands `advertisement`, the one the router sends next, to the channel to send first at
   * `firstDue` and every `intervalMs` after (held-sends.ts): the bytes it sends are those send()
   * would, per destination. undefined when the channel cannot.
   */
  holdSends(advertisement: Advertisement, intervalMs: number, firstDue: number, onRefused: () => void): HeldSends | undefined {
    const channel = this.ports.channel;
    if (!channel.holdSends) return undefined;
    const source = channel.sourceAddress;
    const packets = this.binding.destinations.map((destination) => ({ bytes: this.encoded(advertisement, source, destination), destination }));
    return channel.holdSends(this.binding.router.vrid, packets, intervalMs, firstDue, onRefused);
  }

  private send(advertisement: Advertisement): void {
    const source = this.ports.channel.sourceAddress;
    for (const destination of this.binding.destinations) {
      const bytes = this.encoded(advertisement, source, destination);
      this.ports.channel.send(bytes, destination);
      if (advertisement.priority > 0 && this.ports.channel.armResignation && this.resignations[advertisement.version].get(destination)?.from !== bytes) {
        if (this.toArm.length === 0) setImmediate(() => this.armPending());
        this.toArm.push({ advertisement, source, destination, sent: bytes });
      }
    }
  }

  private armPending(): void {
    for (const { advertisement, source, destination, sent } of this.toArm.splice(0)) this.armResignation(advertisement, source, destination, sent);
  }

  /** Keeps the priority-0 twin of what this Master sent armed (see `resignations`). */
  private armResignation(advertisement: Advertisement, source: string, destination: string, sent: Uint8Array): void {
    const channel = this.ports.channel;
    if (!channel.armResignation) return;
    const armed = this.resignations[advertisement.version];
    const current = armed.get(destination);
    if (current?.from === sent) return;
    const { router } = this.binding;
    const bytes = encodeAdvertisement({ ...advertisement, priority: 0 }, { family: router.family, source, destination }, router.checksumFlavour);
    // A change of priority alone leaves the priority-0 advertisement as it was.
    if (current && sameBytes(current.bytes, bytes)) {
      armed.set(destination, { ...current, from: sent });
      return;
    }
    current?.withdraw();
    const withdraw = channel.armResignation(bytes, destination);
    if (withdraw) armed.set(destination, { from: sent, bytes, withdraw });
    else armed.delete(destination);
  }

  private withdrawResignations(): void {
    // Those still to arm were sent as Master, or through the channel being replaced.
    this.toArm.length = 0;
    for (const armed of [this.resignations[2], this.resignations[3]]) {
      for (const resignation of armed.values()) resignation.withdraw();
      armed.clear();
    }
  }

  /**
   * Adds the instance's addresses in this call when nothing is queued before them, so that a
   * Backup taking over sends its gratuitous ARPs in the same turn as its advertisement, as
   * keepalived does (the adds, then the ARPs, in one function). Through the queue, the adds and the
   * announcement were a chain of promises run cold at the first takeover: 0.4-2.9 ms between the
   * advertisement and the add on a 2-core machine, against keepalived's 0.2 ms to its gratuitous
   * ARP (issue 16). Returns the addresses left to the queue (the port's add, which reports them).
   * The line saying what was added waits behind the announcement, as through the queue.
   */
  private addAtOnce(): readonly VirtualAddressSpec[] {
    const port = this.ports.addresses;
    if (!port.addNow || !this.queue.idle || !takeoversAtOnce.take()) return this.binding.addresses;
    const done: string[] = [];
    const left: VirtualAddressSpec[] = [];
    for (const spec of this.binding.addresses) {
      if (port.addNow(spec)) {
        this.installed.add(spec.address);
        done.push(`${spec.address}/${spec.prefixLength}`);
      } else left.push(spec);
    }
    if (done.length > 0) {
      this.pendingLine = () => this.logChanged('add', done);
      // After this turn's actions (the announcement among them); a promise, not queueMicrotask, which makes an AsyncResource.
      void Promise.resolve().then(() => this.writePendingLine());
    }
    return left;
  }

  /** `report`: log what was done now, or behind the next queued task (see 'add-addresses'). */
  private async changeAddresses(change: 'add' | 'remove', specs: readonly VirtualAddressSpec[] = this.binding.addresses, report: 'now' | 'after-next' = 'now'): Promise<void> {
    const done: string[] = [];
    const failed: string[] = [];
    // All asked at once, in the configuration's order (the host's netlink sends them in that order
    // without waiting for each answer, issue 16); each answer is read against its own address, so
    // one refusal neither hides the others' success nor is blamed on them.
    const results = await Promise.allSettled(specs.map((spec) => (change === 'add' ? this.ports.addresses.add(spec) : this.ports.addresses.remove(spec))));
    specs.forEach((spec, i) => {
      const result = results[i]!;
      if (result.status === 'rejected') {
        failed.push(`${spec.address}/${spec.prefixLength}: ${(result.reason as Error).message}`);
        return;
      }
      if (change === 'add') this.installed.add(spec.address);
      else this.installed.delete(spec.address);
      done.push(`${spec.address}/${spec.prefixLength}`);
    });
    if (done.length > 0) {
      const line = (): void => this.logChanged(change, done);
      // A failure is logged at once (below): the line of what was done goes first, as before.
      if (report === 'now' || failed.length > 0) line();
      else {
        this.pendingLine = line;
        this.enqueue(async () => undefined, () => undefined);
      }
    }
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  private logChanged(change: 'add' | 'remove', done: readonly string[]): void {
    const instance = this.binding.router.name;
    this.log.info(
      { event: change === 'add' ? 'addresses-added' : 'addresses-removed', instance, addresses: done },
      `${instance}: ${change === 'add' ? 'added' : 'removed'} ${done.join(' ')}`,
    );
  }

  private configuredRoutes(binding: RouterBinding = this.binding): RouteChanges {
    return { routes: binding.routes ?? [], rules: binding.rules ?? [] };
  }

  /** Queues a change of routes and rules: added routes before rules, removed rules before routes. */
  private enqueueRoutes(change: 'add' | 'remove', changes: RouteChanges): void {
    if (changes.routes.length === 0 && changes.rules.length === 0) return;
    this.enqueue(
      () => this.changeRoutes(change, changes),
      (error) => {
        const instance = this.binding.router.name;
        const message = (error as Error).message;
        this.log.error({ event: 'route-change-failed', instance, change, error: message }, `${instance}: could not ${change} routes/rules: ${message}`);
      },
    );
  }

  private async changeRoutes(change: 'add' | 'remove', { routes, rules }: RouteChanges): Promise<void> {
    const port = this.ports.routes;
    const instance = this.binding.router.name;
    if (!port) throw new Error('this host cannot install routes or rules');
    const failed: string[] = [];
    const apply = async <T>(kind: 'route' | 'rule', items: readonly T[], text: (item: T) => string, act: (item: T) => Promise<void>): Promise<void> => {
      const done: string[] = [];
      for (const item of items) {
        try {
          await act(item);
          done.push(text(item));
        } catch (error) {
          failed.push(`${kind} ${text(item)}: ${(error as Error).message}`);
        }
      }
      if (done.length === 0) return;
      const verb = change === 'add' ? 'added' : 'removed';
      this.log.info({ event: `${kind}s-${verb}`, instance, [`${kind}s`]: done }, `${instance}: ${verb} ${kind}${done.length > 1 ? 's' : ''} ${done.join('; ')}`);
    };
    const applyRoutes = () => apply('route', routes, routeText, (route) => (change === 'add' ? port.addRoute(route) : port.removeRoute(route)));
    const applyRules = () => apply('rule', rules, ruleText, (rule) => (change === 'add' ? port.addRule(rule) : port.removeRule(rule)));
    if (change === 'add') {
      await applyRoutes();
      await applyRules();
    } else {
      await applyRules();
      await applyRoutes();
    }
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  private logAddressFailure(change: 'add' | 'remove', error: unknown): void {
    const instance = this.binding.router.name;
    this.log.error({ event: 'address-change-failed', instance, change, error: (error as Error).message }, `${instance}: could not ${change} addresses: ${(error as Error).message}`);
  }
}

/**
 * How many instances per turn of the event loop add and announce in the call (addAtOnce). A
 * takeover of a few instances gets its gratuitous ARPs out at once; in a burst (1,000 instances
 * becoming Master in one turn), the others' adds wait for the queue, as before, so that every
 * advertisement leaves first and the Adver_Timers, started when each instance became Master, stay
 * together: done in the call, 1,000 adds and announcements spread them over tens of ms, and the
 * Master's steady-state wake-ups (timerfd re-arms 182 -> 1968 in 5 s) and CPU (2.2-2.6x) followed
 * (bench/ab-cpu.ts, bench/RESULTS.md).
 */
const TAKEOVERS_AT_ONCE_PER_TURN = 8;

class TakeoverBudget {
  private used = 0;

  /** Whether one more takeover may add and announce in the call this turn. */
  take(): boolean {
    if (this.used >= TAKEOVERS_AT_ONCE_PER_TURN) return false;
    // Given back after this turn: a check-phase callback queued from this turn's (see real-clock.ts).
    if (this.used++ === 0) setImmediate(() => (this.used = 0));
    return true;
  }
}

const takeoversAtOnce = new TakeoverBudget();

/** The entries of `from` that `other` does not have (same words). */
function missing<T>(from: readonly T[], other: readonly T[]): T[] {
  const keys = new Set(other.map((item) => JSON.stringify(item)));
  return from.filter((item) => !keys.has(JSON.stringify(item)));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
