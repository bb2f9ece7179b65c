// The Linux host behind the daemon's ports: rtnetlink for interfaces, addresses and VMACs, raw
// sockets for VRRP (the native shim's, IPv4 and IPv6, which report TTL / hop limit and destination),
// the native shim's packet socket for gratuitous ARP and unsolicited NA.
import { readFileSync } from 'node:fs';
import type { AddressFamily } from '../core/address.js';
import type { Logger } from '../core/log.js';
import type {
  AddressPort,
  AnnouncePort,
  ChannelOptions,
  HostEvent,
  InterfaceState,
  OpenChannel,
  Platform,
  ReceivedPacket,
  RoutePort,
  VirtualAddressSpec,
} from '../daemon/vrrp/ports.js';
import { monotonicMs } from './monotonic.js';
import { NetlinkRoutes } from './routes.js';
import { IFA_F_DADFAILED, IFA_F_SECONDARY, IFA_F_TENTATIVE, VRRPD_ADDRESS_PROTOCOL, type AddressMessage } from './netlink/address-messages.js';
import { NetlinkError, Rtnetlink, type LinkInfo } from './netlink/rtnetlink.js';
import type { AnnouncePacing } from '../daemon/vrrp/ports.js';
import { Announcer, type AnnouncePacers } from './announce/announcer.js';
import { AnnouncePacer } from './announce/pacer.js';
import { Ipv4VrrpSocket } from './sockets/ipv4-vrrp-socket.js';
import { Ipv6VrrpSocket } from './sockets/ipv6-vrrp-socket.js';
import { Vmacs } from './vmac.js';

/** Duplicate address detection takes DupAddrDetectTransmits (1) × RetransTimer (1 s) by default. */
const DAD_WAIT_MS = 5000;

export class InterfaceMissingError extends Error {
  override readonly name = 'InterfaceMissingError';
}

export class LinuxPlatform implements Platform {
  readonly addresses: AddressPort & { linkSeen(name: string, index: number): void };
  readonly routes: RoutePort & { removeStale(): Promise<string[]> };
  private readonly netlink = Rtnetlink.open();
  /** keepalived use_vmac: the macvlans, created before the instances that use them start (see vmac.ts). */
  readonly vmacs: Vmacs;
  /** One pair of pacers per interface, or per garp_group of interfaces. */
  private pacers = new Map<string, AnnouncePacers>();
  /** Gratuitous ARP / NA spacing per interface, else the global default (vrrp_garp_interval, garp_interval, garp_group). */
  private announcePacing: AnnouncePacing = { arpIntervalMs: 0, naIntervalMs: 0, perInterface: new Map() };

  constructor(private readonly log: Logger) {
    this.addresses = new NetlinkAddresses(this.netlink, (name) => this.requireLink(name));
    this.routes = new NetlinkRoutes(this.netlink, (name) => this.requireLink(name));
    this.vmacs = new Vmacs(this.netlink, log);
  }

  holdHostReads(): () => void {
    return this.netlink.holdDumps();
  }

  async interfaceState(name: string): Promise<InterfaceState> {
    const link = await this.requireLink(name);
    const all = await this.netlink.addresses();
    const addresses = all.filter((address) => address.interfaceIndex === link.index);
    const primary = (index: number) => all.find((a) => a.interfaceIndex === index && a.family === 'ipv4' && (a.flags & IFA_F_SECONDARY) === 0 && a.protocol !== VRRPD_ADDRESS_PROTOCOL);
    // A VMAC has no IPv4 address of its own: adverts go from the parent's primary, as keepalived sends them.
    const parent = this.vmacs.parentOf(name);
    const ipv4 = primary(link.index) ?? (parent !== undefined ? primary((await this.requireLink(parent)).index) : undefined);
    const linkLocal = addresses.find((a) => a.family === 'ipv6' && a.address.startsWith('fe80:'));
    return {
      name,
      index: link.index,
      up: link.up,
      mac: link.mac,
      ...(ipv4 ? { ipv4: ipv4.address } : {}),
      ...(linkLocal ? { ipv6LinkLocal: linkLocal.address } : {}),
    };
  }

  async openChannel(options: ChannelOptions, onPacket: (packet: ReceivedPacket) => void): Promise<OpenChannel> {
    // Unicast with use_vmac goes through the parent, as keepalived 2.2.7 does (its unicast adverts
    // carry the parent's MAC): peers address the parent's MAC, so they never reach the VMAC.
    const unicastVmacParent = options.groups.length === 0 ? this.vmacs.parentOf(options.interfaceName) : undefined;
    const interfaceName = unicastVmacParent ?? options.interfaceName;
    const state = await this.interfaceState(interfaceName);
    const onError = (error: Error): void => this.log.error({ event: 'socket-error', interface: interfaceName, error: error.message }, error.message);
    if (options.family === 'ipv6') {
      // RFC 5798 §5.1.2.1: the source is the interface's link-local address unless configured.
      const source = options.sourceAddress ?? state.ipv6LinkLocal;
      if (!source) throw new Error(`interface ${interfaceName} has no IPv6 link-local address to send advertisements from`);
      await this.untilNotTentative(state.index, source);
      return Ipv6VrrpSocket.open({ interfaceName, interfaceIndex: state.index, sourceAddress: source, groups: options.groups }, onPacket, onError);
    }
    const source = options.sourceAddress ?? state.ipv4;
    if (!source) throw new Error(`interface ${interfaceName} has no IPv4 address to send advertisements from`);
    return Ipv4VrrpSocket.open({ interfaceName, interfaceIndex: state.index, sourceAddress: source, groups: options.groups }, onPacket, onError);
  }


  async announcer(interfaceName: string, _family: AddressFamily): Promise<AnnouncePort> {
    const state = await this.interfaceState(interfaceName);
    return new Announcer(
      {
        interfaceName,
        interfaceIndex: state.index,
        mac: state.mac,
        forwardsIpv6: () => forwardsIpv6(interfaceName),
      },
      () => this.pacersFor(interfaceName),
      this.log,
    );
  }

  /** The configuration's pacing, at start and on reload: announcements from now on use it (what waits in the old pacers still leaves). */
  configureAnnouncements(pacing: AnnouncePacing): void {
    this.announcePacing = pacing;
    this.pacers = new Map();
  }

  private pacersFor(interfaceName: string): AnnouncePacers {
    const own = this.announcePacing.perInterface.get(interfaceName);
    const key = own?.group !== undefined ? `group ${own.group}` : `interface ${interfaceName}`;
    let pacers = this.pacers.get(key);
    if (!pacers) {
      const timing = own ?? this.announcePacing;
      pacers = { arp: new AnnouncePacer(timing.arpIntervalMs), na: new AnnouncePacer(timing.naIntervalMs) };
      this.pacers.set(key, pacers);
    }
    return pacers;
  }

  async removeStaleAddresses(): Promise<string[]> {
    const links = new Map((await this.netlink.links()).map((link) => [link.index, link.name]));
    const removed: string[] = [];
    for (const address of await this.netlink.addresses()) {
      if (address.protocol !== VRRPD_ADDRESS_PROTOCOL) continue;
      await this.netlink.deleteAddress(request(address)).catch(ignoreGone);
      removed.push(`${address.address}/${address.prefixLength} dev ${links.get(address.interfaceIndex) ?? address.interfaceIndex}`);
    }
    return removed;
  }

  /** virtual_routes / virtual_rules a previous vrrpd left (tagged with its protocol number). */
  removeStaleRoutes(): Promise<string[]> {
    return this.routes.removeStale();
  }

  watch(onEvent: (event: HostEvent) => void): () => void {
    const names = new Map<number, string>();
    const lastUp = new Map<number, boolean>();
    void this.netlink.links().then((links) => {
      for (const link of links) {
        names.set(link.index, link.name);
        lastUp.set(link.index, link.up);
      }
    });
    return this.netlink.watch((event) => {
      if (event.type === 'notifications-lost') {
        // Said once per overflow: what changed meanwhile was read again and reported as usual.
        this.log.warn(
          { event: 'netlink-notifications-lost', errno: event.errno, addressChanges: event.addressChanges },
          `the kernel dropped link/address notifications (${event.errno}); read links and addresses again: ${event.addressChanges} address changes found`,
        );
      } else if (event.type === 'link') {
        names.set(event.link.index, event.link.name);
        this.addresses.linkSeen(event.link.name, event.link.index);
        // The kernel repeats link messages for many reasons; only a change of up/down matters.
        if (lastUp.get(event.link.index) === event.link.up) return;
        lastUp.set(event.link.index, event.link.up);
        // A VMAC set down lost its link-local copy; the kernel makes none (addr_gen_mode none).
        const parent = this.vmacs.parentOf(event.link.name);
        if (event.link.up && parent !== undefined) void this.restoreVmacLinkLocals(parent);
        onEvent({ type: 'link', interfaceName: event.link.name, up: event.link.up });
      } else {
        const interfaceName = names.get(event.address.interfaceIndex);
        if (!interfaceName) return;
        const { address, prefixLength, flags } = event.address;
        if (event.removed) onEvent({ type: 'address-removed', interfaceName, address, prefixLength });
        // A tentative IPv6 address cannot be sent from yet; the kernel reports it again when its
        // duplicate address detection is over (RFC 4862 §5.4).
        else if ((flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)) === 0) {
          if (address.startsWith('fe80:') && this.vmacs.isParent(interfaceName)) void this.restoreVmacLinkLocals(interfaceName);
          onEvent({ type: 'address-added', interfaceName, address, prefixLength });
        }
      }
    });
  }

  close(): void {
    this.netlink.close();
  }

  private async restoreVmacLinkLocals(parent: string): Promise<void> {
    await this.vmacs.restoreLinkLocals(parent).catch((error: unknown) => {
      this.log.error({ event: 'vmac-link-local-failed', parent, error: (error as Error).message }, `could not give ${parent}'s VMACs its link-local address: ${(error as Error).message}`);
    });
  }

  /**
   * An IPv6 address cannot be bound while duplicate address detection runs (RFC 4862 §5.4), which
   * takes about a second after a link comes up: wait for it, up to DAD_WAIT_MS.
   */
  private async untilNotTentative(interfaceIndex: number, address: string): Promise<void> {
    const deadline = monotonicMs() + DAD_WAIT_MS;
    for (;;) {
      const found = (await this.netlink.addresses('ipv6')).find((a) => a.interfaceIndex === interfaceIndex && a.address === address);
      if (!found || (found.flags & IFA_F_TENTATIVE) === 0) return;
      if (found.flags & IFA_F_DADFAILED) throw new Error(`${address} failed duplicate address detection: another host on the link has it`);
      if (monotonicMs() > deadline) throw new Error(`${address} is still tentative (duplicate address detection) after ${DAD_WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A start holds dumps (holdHostReads): the next read must see what the kernel did meanwhile.
      this.netlink.refreshDumps();
    }
  }

  private async requireLink(name: string): Promise<LinkInfo> {
    const link = await this.netlink.link(name);
    if (!link) throw new InterfaceMissingError(`interface ${name} does not exist`);
    return link;
  }
}

/** Adds and removes virtual addresses, never touching one vrrpd did not add. */
class NetlinkAddresses implements AddressPort {
  /**
   * Interface indexes by name, so that taking over (add, then the gratuitous ARP) costs one round
   * trip, not a link dump first (issue 16: the hand-over). Kept current by the link notifications
   * the platform follows; an index gone stale anyway (the interface re-created) is ENODEV, and the
   * name is looked up again once.
   */
  private readonly indexes = new Map<string, number>();
  /** The families whose add has been rehearsed (prepare). */
  private readonly rehearsed = new Set<string>();
  /** Each prepared address's add request, whole, for the interface index it was built with (prepare). */
  private readonly requests = new WeakMap<VirtualAddressSpec, { readonly index: number; readonly message: Buffer }>();

  constructor(
    private readonly netlink: Rtnetlink,
    private readonly link: (name: string) => Promise<LinkInfo>,
  ) {}

  /** A link notification: the name's index now (kept only for the interfaces vrrpd uses). */
  linkSeen(name: string, index: number): void {
    if (this.indexes.has(name)) this.indexes.set(name, index);
  }

  /**
   * Opens the socket adds are answered on (Rtnetlink.addAddress) and looks the VIP's interface up,
   * at start. The first takeover of a process looked it up before its
   * add, so before its gratuitous ARP: a link dump, one more round trip, and the netlink package
   * parsing a link message for the first time (strace of a fresh Backup at 20 ms adverts, slowed by
   * strace: the add left 19 ms after its advertisement, 12 of them between the dump's answer and the add).
   * An interface missing now is looked up again at the add, which reports it.
   */
  async prepare(spec: VirtualAddressSpec): Promise<void> {
    this.netlink.prepareImmediate();
    const index = await this.indexOf(spec.device).catch(() => undefined);
    if (index !== undefined) this.requests.set(spec, { index, message: this.netlink.addAddressMessage({ ...spec, interfaceIndex: index }) });
    // The add's code runs once before the first takeover, through the real socket, with a request
    // the kernel refuses before looking at anything else: interface index 0 (ENODEV). Run for the
    // first time at a takeover, building and sending the add took 0.9-2 ms between the
    // advertisement and the gratuitous ARP on a loaded 2-core machine (issue 16). Once per family.
    if (this.rehearsed.has(spec.family)) return;
    this.rehearsed.add(spec.family);
    // Through addNow itself, which otherwise first ran (and was compiled, 0.3-0.5 ms on a 2-core
    // machine, in-process marks and V8's function events) between a takeover's advertisement and its add.
    this.addNow(spec, 0);
    await this.netlink.addAddress({ ...spec, interfaceIndex: 0 }).catch(() => undefined);
  }

  /** `index`: prepare's rehearsal (0, which the kernel refuses). */
  addNow(spec: VirtualAddressSpec, index = this.indexes.get(spec.device)): boolean {
    if (index === undefined) return false;
    // The request built at start, while the interface keeps that index; otherwise built now.
    const prepared = this.requests.get(spec);
    return this.addNowAt(spec, index, prepared?.index === index ? prepared.message : undefined);
  }

  /** Any refusal (EEXIST: ours or another's; ENODEV: the index went stale) is add()'s to handle. */
  private addNowAt(spec: VirtualAddressSpec, interfaceIndex: number, message?: Buffer): boolean {
    try {
      return this.netlink.addAddressNow(message ?? this.netlink.addAddressMessage({ ...spec, interfaceIndex })) === 0;
    } catch {
      return false;
    }
  }

  async add(spec: VirtualAddressSpec): Promise<void> {
    let index = await this.indexOf(spec.device);
    try {
      try {
        await this.netlink.addAddress({ ...spec, interfaceIndex: index });
      } catch (error) {
        if (!(error instanceof NetlinkError) || error.errno !== 'ENODEV') throw error;
        index = await this.indexOf(spec.device, true);
        await this.netlink.addAddress({ ...spec, interfaceIndex: index });
      }
    } catch (error) {
      if (!(error instanceof NetlinkError) || error.errno !== 'EEXIST') throw error;
      const existing = await this.find(spec, index);
      if (existing?.protocol !== VRRPD_ADDRESS_PROTOCOL) {
        throw new Error(`${spec.address}/${spec.prefixLength} is already on ${spec.device}, added by someone else; vrrpd leaves it alone`);
      }
    }
  }

  async remove(spec: VirtualAddressSpec): Promise<void> {
    const index = await this.indexOf(spec.device, true);
    const existing = await this.find(spec, index);
    if (!existing || existing.protocol !== VRRPD_ADDRESS_PROTOCOL) return;
    await this.netlink.deleteAddress({ ...spec, interfaceIndex: index }).catch(ignoreGone);
  }

  private async indexOf(device: string, fresh = false): Promise<number> {
    const known = this.indexes.get(device);
    if (known !== undefined && !fresh) return known;
    const { index } = await this.link(device);
    this.indexes.set(device, index);
    return index;
  }

  private async find(spec: VirtualAddressSpec, index: number): Promise<AddressMessage | undefined> {
    return (await this.netlink.addresses(spec.family)).find((a) => a.interfaceIndex === index && a.address === spec.address);
  }
}

function request(address: AddressMessage) {
  return { family: address.family, address: address.address, prefixLength: address.prefixLength, interfaceIndex: address.interfaceIndex };
}

/** net.ipv6.conf.IFACE.forwarding, read in our own network namespace; unreadable counts as off. */
function forwardsIpv6(interfaceName: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${interfaceName}/forwarding`, 'utf8').trim() !== '0';
  } catch {
    return false;
  }
}

function ignoreGone(error: unknown): void {
  if (error instanceof NetlinkError && error.errno === 'EADDRNOTAVAIL') return;
  throw error;
}
