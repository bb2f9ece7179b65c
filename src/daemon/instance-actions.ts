// Carries out what one virtual router asks for (RouterAction) on the host, and logs what an
// operator needs to know: the transition with its reason, the addresses added or removed.
import { encodeAdvertisement } from '../packet/advertisement.js';
import type { RouterAction } from '../protocol/actions.js';
import type { VirtualRouterConfig } from '../protocol/config.js';
import type { Logger } from './log.js';
import type { AddressPort, AdvertisementChannel, AnnouncePort, VirtualAddressSpec } from './ports.js';
import { SerialQueue } from './serial-queue.js';

export interface InstanceBinding {
  readonly router: VirtualRouterConfig;
  readonly interfaceName: string;
  /** Where advertisements go: the multicast group, or each unicast peer. */
  readonly destinations: readonly string[];
  /** Everything installed on becoming Master: virtual_ipaddress and virtual_ipaddress_excluded. */
  readonly addresses: readonly VirtualAddressSpec[];
}

export interface InstancePorts {
  readonly channel: AdvertisementChannel;
  readonly addresses: AddressPort;
  readonly announcer: AnnouncePort;
}

export class InstanceActions {
  private readonly queue = new SerialQueue();
  /** Addresses vrrpd has installed for this instance (and not removed since). */
  readonly installed = new Set<string>();

  constructor(
    private binding: InstanceBinding,
    private readonly ports: InstancePorts,
    private readonly log: Logger,
  ) {}

  perform(action: RouterAction, priority: number): void {
    const instance = this.binding.router.name;
    switch (action.type) {
      case 'send-advertisement':
        this.send(action.advertisement);
        return;
      case 'add-addresses':
        void this.queue.enqueue(() => this.changeAddresses('add'), (error) => this.logAddressFailure('add', error));
        return;
      case 'remove-addresses':
        void this.queue.enqueue(() => this.changeAddresses('remove'), (error) => this.logAddressFailure('remove', error));
        return;
      case 'announce-addresses':
        this.ports.announcer.announce(action.addresses, action.count);
        return;
      case 'transition': {
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
   * A reload changed the instance in place: later actions use the new binding. While Master, the
   * addresses the reload removed go and those it added are installed, then announced
   * (garp_master_repeat), as becoming Master would have done for them.
   */
  rebind(binding: InstanceBinding, isMaster: boolean): void {
    const previous = this.binding;
    this.binding = binding;
    if (!isMaster) return;
    const key = (spec: VirtualAddressSpec): string => JSON.stringify([spec.address, spec.prefixLength, spec.device, spec.label, spec.scope, spec.broadcast]);
    const before = new Set(previous.addresses.map(key));
    const after = new Set(binding.addresses.map(key));
    const removed = previous.addresses.filter((spec) => !after.has(key(spec)));
    const added = binding.addresses.filter((spec) => !before.has(key(spec)));
    if (removed.length > 0) void this.queue.enqueue(() => this.changeAddresses('remove', removed), (error) => this.logAddressFailure('remove', error));
    if (added.length === 0) return;
    void this.queue.enqueue(
      async () => {
        await this.changeAddresses('add', added);
        const count = binding.router.announcements.masterRepeat;
        if (count > 0) this.ports.announcer.announce(added.map((spec) => spec.address), count);
      },
      (error) => this.logAddressFailure('add', error),
    );
  }

  /** Resolves when queued address changes are done (used on shutdown). */
  settled(): Promise<void> {
    return this.queue.drain();
  }

  /** Puts back an address someone else removed while we are Master. */
  reinstall(spec: VirtualAddressSpec): void {
    this.log.warn(
      { event: 'address-restored', instance: this.binding.router.name, address: `${spec.address}/${spec.prefixLength}`, device: spec.device },
      `${this.binding.router.name}: ${spec.address} was removed by someone else while Master; putting it back`,
    );
    void this.queue.enqueue(
      async () => {
        await this.ports.addresses.add(spec);
        this.installed.add(spec.address);
      },
      (error) => this.logAddressFailure('add', error),
    );
  }

  private send(advertisement: Parameters<typeof encodeAdvertisement>[0]): void {
    const { router } = this.binding;
    for (const destination of this.binding.destinations) {
      const bytes = encodeAdvertisement(
        advertisement,
        { family: router.family, source: this.ports.channel.sourceAddress, destination },
        router.checksumFlavour,
      );
      this.ports.channel.send(bytes, destination);
    }
  }

  private async changeAddresses(change: 'add' | 'remove', specs: readonly VirtualAddressSpec[] = this.binding.addresses): Promise<void> {
    const done: string[] = [];
    const failed: string[] = [];
    for (const spec of specs) {
      try {
        if (change === 'add') await this.ports.addresses.add(spec);
        else await this.ports.addresses.remove(spec);
        if (change === 'add') this.installed.add(spec.address);
        else this.installed.delete(spec.address);
        done.push(`${spec.address}/${spec.prefixLength}`);
      } catch (error) {
        failed.push(`${spec.address}/${spec.prefixLength}: ${(error as Error).message}`);
      }
    }
    const instance = this.binding.router.name;
    if (done.length > 0) {
      this.log.info(
        { event: change === 'add' ? 'addresses-added' : 'addresses-removed', instance, addresses: done },
        `${instance}: ${change === 'add' ? 'added' : 'removed'} ${done.join(' ')}`,
      );
    }
    if (failed.length > 0) throw new Error(failed.join('; '));
  }

  private logAddressFailure(change: 'add' | 'remove', error: unknown): void {
    const instance = this.binding.router.name;
    this.log.error({ event: 'address-change-failed', instance, change, error: (error as Error).message }, `${instance}: could not ${change} addresses: ${(error as Error).message}`);
  }
}
