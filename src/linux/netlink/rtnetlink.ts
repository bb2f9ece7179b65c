// The route netlink socket vrrpd uses: interfaces, addresses (tagged with IFA_PROTO), and the
// kernel's notifications of changes to both. The socket is the `netlink` package's; the messages
// are built and parsed here (link-, address- and route-messages.ts).
import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';
import type { NetlinkSocket } from 'netlink';

// Only the package's socket module, as conntrack.ts: its index also loads the generated route,
// nl80211, genl and WireGuard families, whose parsers decode every attribute of every message.
// Its route family (rt.js and its structs, ~5,900 lines of mostly generated code) cost every start ~3
// ms to load and its link parser 5-15 ms for the links dumped before an owner's first
// advertisement (issue 16).
const { createNetlink } = createRequire(import.meta.url)('netlink/dist/netlink.js') as Pick<typeof import('netlink'), 'createNetlink'>;
const NETLINK_ROUTE = 0;
import type { AddressFamily } from '../../core/address.js';
import { nativeShims, type NativeNetlinkRequestSocket } from '../native.js';
import {
  addressRequest,
  parseAddressMessage,
  RTM_DELADDR,
  RTM_GETADDR,
  RTM_NEWADDR,
  type AddressMessage,
  type AddressRequest,
} from './address-messages.js';
import {
  parseRouteMessage,
  parseRuleMessage,
  routeRequest,
  ruleRequest,
  RTM_DELROUTE,
  RTM_DELRULE,
  RTM_GETROUTE,
  RTM_GETRULE,
  RTM_NEWROUTE,
  RTM_NEWRULE,
  routeLookupRequest,
  type RouteRequest,
  type RuleRequest,
} from './route-messages.js';
import {
  deleteLinkRequest,
  linkDumpRequest,
  linkStateRequest,
  macvlanRequest,
  parseLinkMessage,
  RTM_DELLINK,
  RTM_GETLINK,
  RTM_NEWLINK,
  type LinkInfo,
  type MacvlanRequest,
} from './link-messages.js';

export type { LinkInfo };

const NLM_F_REQUEST = 0x01;
const NLM_F_ACK = 0x04;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NLM_F_DUMP = 0x300;
const NLMSG_HDRLEN = 16;
/** Where struct nlmsghdr keeps nlmsg_seq. */
const NLMSG_SEQ_OFFSET = 8;
/** An add: answered (ACK), refused if the address exists (EXCL: the caller tells ours from another's). */
const ADD_FLAGS = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
// rtnetlink.h's multicast groups (the RTMGRP_* bits of sockaddr_nl.nl_groups).
const RTMGRP_LINK = 0x1;
const RTMGRP_IPV4_IFADDR = 0x10;
const RTMGRP_IPV6_IFADDR = 0x100;
/** The watch socket's receive queue: 8,000 address notifications between two reads fitted (netlink-overflow test). */
const WATCH_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/** A kernel refusal, with the errno name to act on (EEXIST, EADDRNOTAVAIL, ENODEV, EPERM...). */
export class NetlinkError extends Error {
  override readonly name = 'NetlinkError';

  constructor(
    readonly errno: string,
    readonly operation: string,
  ) {
    super(`${operation}: ${errno}${errno === 'EPERM' ? ' (needs root or CAP_NET_ADMIN)' : ''}`);
  }
}

/** A route of the main table (RT_TABLE_MAIN, 254), as far as interface detection needs it. */
export interface RouteInfo {
  readonly family: AddressFamily;
  readonly destinationPrefixLength: number;
  /** RTA_OIF; 0 for routes without one (multipath, blackhole). */
  readonly outputInterfaceIndex: number;
  /** RTA_PRIORITY (the metric); lower wins. */
  readonly metric: number;
}

const RT_TABLE_MAIN = 254;
const RTN_UNICAST = 1;

export type NetlinkEvent =
  | { readonly type: 'link'; readonly link: LinkInfo }
  | { readonly type: 'address'; readonly address: AddressMessage; readonly removed: boolean }
  /**
   * Notifications were lost (the kernel's ENOBUFS) and links and addresses were read again; the
   * changes found were reported as 'link'/'address' events before this one.
   */
  | { readonly type: 'notifications-lost'; readonly errno: string; readonly addressChanges: number };

export class Rtnetlink {
  private readonly requests = new RequestWindow();
  /** The socket whose requests return with their answer (address adds); opened by prepareImmediate() or the first add. */
  private immediateSocket: NativeNetlinkRequestSocket | undefined;
  private immediateSequence = 0;
  /** While held (holdDumps): each dump's answer by message type, until a change is requested. */
  private held: Map<number, Promise<unknown[]>> | undefined;

  private constructor(private readonly socket: NetlinkSocket) {
    // A receive error may have taken the answers of the requests awaiting theirs: they fail with
    // it rather than wait forever and hold the window. Without a listener the socket's 'error'
    // would end the daemon. An overflow of this socket (ENOBUFS, reported by the kernel as POLLERR)
    // would still abort the process inside the netlink package (see native-shims/netlink_watch.cc);
    // RequestWindow keeps the answers in flight few enough that it does not overflow.
    socket.on('error', (error) => this.requests.failInFlight(netlinkError(error, 'receive an answer')));
  }

  /** The most requests that were awaiting their answer at once since this socket opened. */
  get peakInFlight(): number {
    return this.requests.peakInFlight;
  }

  static open(): Rtnetlink {
    return new Rtnetlink(createNetlink(NETLINK_ROUTE));
  }

  /**
   * From now until the returned function is called, a dump asked for again is answered from the
   * last one, until this socket requests a change (an add, a delete: the next dump is taken anew).
   * For a start, which reads the same interfaces and addresses several times within milliseconds;
   * changes made by others meanwhile are what the notifications report once it watches.
   */
  holdDumps(): () => void {
    const held = new Map<number, Promise<unknown[]>>();
    this.held = held;
    return () => {
      if (this.held === held) this.held = undefined;
    };
  }

  /** While held, the next dumps are taken anew: for a read that waits for the kernel to change something (an address's duplicate address detection). */
  refreshDumps(): void {
    this.held?.clear();
  }

  async links(): Promise<LinkInfo[]> {
    return this.dump(RTM_GETLINK, linkDumpRequest(), 'list links', (message) => parseLinkMessage(message.data));
  }

  async link(name: string): Promise<LinkInfo | undefined> {
    return (await this.links()).find((link) => link.name === name);
  }

  async addresses(family?: AddressFamily): Promise<AddressMessage[]> {
    const all = await this.dump(RTM_GETADDR, Buffer.alloc(8), 'list addresses', (message) => parseAddressMessage(message.data));
    return family === undefined ? all : all.filter((address) => address.family === family);
  }

  /** Unicast routes of the main table for one family. */
  async routes(family: AddressFamily): Promise<RouteInfo[]> {
    // The dump of every route (the one routeEntries shares), this family's unicast main-table ones kept.
    return (await this.dump(RTM_GETROUTE, Buffer.alloc(12), 'list routes', (message) => parseRouteMessage(message.data)))
      .filter((route) => route.family === family && route.table === RT_TABLE_MAIN && route.type === RTN_UNICAST)
      .map((route) => ({
        family,
        destinationPrefixLength: route.prefixLength,
        outputInterfaceIndex: route.outputInterfaceIndex ?? 0,
        metric: route.metric ?? 0,
      }));
  }

  /**
   * Adds an address, answered in the same call (native-shims/netlink_request.cc): a Backup taking
   * over sends its gratuitous ARP once the add is acknowledged, as keepalived does (netlink_talk),
   * and through the netlink package it waited for the event loop to poll the answer, with the add's
   * own notification read and handled first (in-process marks at 20 ms adverts, loaded 2-core
   * machine: advertisement to add answered 2.4 ms median, lower quartile 1.2 ms less with this; issue 16).
   * In the request window like the others, so that it never overtakes a dump asked before it.
   */
  async addAddress(request: AddressRequest): Promise<void> {
    await this.requestImmediately(RTM_NEWADDR, addressRequest(request, RTM_NEWADDR), ADD_FLAGS, `add ${request.address}/${request.prefixLength}`);
  }

  /**
   * The netlink message of an add, whole, for addAddressNow: built before a takeover (at start), so
   * that the takeover only stamps its sequence number. Built at the takeover, the request (the
   * address's bytes, attributes, concatenations) ran between the advertisement and the gratuitous
   * ARP, in code cold there however often it ran at start (issue 16).
   */
  addAddressMessage(request: AddressRequest): Buffer {
    return netlinkMessage(RTM_NEWADDR, ADD_FLAGS, 0, addressRequest(request, RTM_NEWADDR));
  }

  /**
   * The add of `message` (addAddressMessage; its sequence number is overwritten) settled in this
   * call, with no promise between the request and its answer, when no request is before it (one
   * would answer first, or a dump would be overtaken): the kernel's errno (0: added), or undefined
   * when requests are waiting or in flight and addAddress must be used. A Backup taking over adds
   * its VIP and sends its gratuitous ARP in one turn, as keepalived does.
   */
  addAddressNow(message: Buffer): number | undefined {
    if (!this.requests.idle) return undefined;
    this.held?.clear();
    return this.sendOnImmediateSocket(message);
  }

  /** Opens the socket addAddress uses now (at start) rather than at the first add, the moment of a takeover. */
  prepareImmediate(): void {
    this.immediate();
  }

  async deleteAddress(request: AddressRequest): Promise<void> {
    await this.request(RTM_DELADDR, addressRequest(request, RTM_DELADDR), NLM_F_REQUEST | NLM_F_ACK, `remove ${request.address}/${request.prefixLength}`);
  }

  /** Every route of every table and family, as requests that would delete each. */
  async routeEntries(): Promise<RouteRequest[]> {
    return this.dump(RTM_GETROUTE, Buffer.alloc(12), 'list routes', (message) => parseRouteMessage(message.data));
  }

  /**
   * The route the kernel would use to reach `address` (its own lookup, as `ip route get` makes it):
   * a NetlinkError when it has none (ENETUNREACH, EHOSTUNREACH...). Read here rather than from
   * `ip -j route get`, which forked a process and needed iproute2, absent from the container image.
   */
  async routeTo(family: AddressFamily, address: string): Promise<RouteRequest> {
    const operation = `look up the route to ${address}`;
    // Answered by one RTM_NEWROUTE (the package's request also asks for the acknowledgement, which
    // follows it and is dropped); in the window like an add, never beside a dump.
    const [[answer]] = await this.requests
      .acknowledged(() => this.socket.request(RTM_GETROUTE, [routeLookupRequest(family, address)]))
      .catch((error: unknown) => {
        throw netlinkError(error, operation);
      });
    const route = answer?.type === RTM_NEWROUTE ? parseRouteMessage(answer.data) : undefined;
    if (!route) throw new NetlinkError('ENODATA', operation);
    return route;
  }

  async addRoute(request: RouteRequest, description: string): Promise<void> {
    await this.request(RTM_NEWROUTE, routeRequest(request, RTM_NEWROUTE), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, `add route ${description}`);
  }

  async deleteRoute(request: RouteRequest, description: string): Promise<void> {
    await this.request(RTM_DELROUTE, routeRequest(request, RTM_DELROUTE), NLM_F_REQUEST | NLM_F_ACK, `remove route ${description}`);
  }

  /** Every policy routing rule of both families. */
  async ruleEntries(): Promise<RuleRequest[]> {
    return this.dump(RTM_GETRULE, Buffer.alloc(12), 'list rules', (message) => parseRuleMessage(message.data));
  }

  async addRule(request: RuleRequest, description: string): Promise<void> {
    await this.request(RTM_NEWRULE, ruleRequest(request), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, `add rule ${description}`);
  }

  async deleteRule(request: RuleRequest, description: string): Promise<void> {
    await this.request(RTM_DELRULE, ruleRequest(request), NLM_F_REQUEST | NLM_F_ACK, `remove rule ${description}`);
  }

  /** Creates a macvlan (down); see link-messages.ts. */
  async addMacvlan(request: MacvlanRequest): Promise<void> {
    await this.request(RTM_NEWLINK, macvlanRequest(request), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, `create macvlan ${request.name}`);
  }

  async setLinkUp(index: number, up: boolean): Promise<void> {
    await this.request(RTM_NEWLINK, linkStateRequest(index, up), NLM_F_REQUEST | NLM_F_ACK, `set link ${index} ${up ? 'up' : 'down'}`);
  }

  async deleteLink(index: number): Promise<void> {
    await this.request(RTM_DELLINK, deleteLinkRequest(index), NLM_F_REQUEST | NLM_F_ACK, `delete link ${index}`);
  }

  /**
   * Follows link and address changes; returns a function that stops following. A socket of its
   * own: the request socket hands notifications that arrive during a request to that request.
   */
  watch(onEvent: (event: NetlinkEvent) => void): () => void {
    // The addresses as the notifications told them, to tell what changed unseen after an overflow.
    const known = new Map<string, AddressMessage>();
    const report = (address: AddressMessage, removed: boolean): void => {
      if (removed) known.delete(addressKey(address));
      else known.set(addressKey(address), address);
      onEvent({ type: 'address', address, removed });
    };
    void this.addresses().then(
      (addresses) => {
        for (const address of addresses) if (!known.has(addressKey(address))) known.set(addressKey(address), address);
      },
      () => undefined, // the resync after an overflow reads them again
    );
    // ENOBUFS: the kernel dropped notifications the loop had no time to read (a burst of
    // thousands of address changes). What they said is read again: every link (the caller keeps
    // only changes) and the difference between the addresses known and those present.
    // An overflow during a re-read may have dropped what changed after the dump: read once more.
    let resyncing = false;
    let lostAgain = false;
    const resync = (error: Error): void => {
      if (resyncing) {
        lostAgain = true;
        return;
      }
      resyncing = true;
      lostAgain = false;
      void Promise.all([this.links(), this.addresses()])
        .then(([links, addresses]) => {
          for (const link of links) onEvent({ type: 'link', link });
          const changes = addressChanges(known, addresses);
          for (const change of changes) report(change.address, change.removed);
          onEvent({ type: 'notifications-lost', errno: netlinkError(error, 'receive a notification').errno, addressChanges: changes.length });
        })
        // The request socket refused (a dump interrupted by the same burst): try again in a second.
        .catch(() => void setTimeout(() => !closed && resync(error), 1000).unref())
        .finally(() => {
          resyncing = false;
          if (lostAgain && !closed) resync(error);
        });
    };
    // A socket of its own (the request socket hands notifications that arrive during a request to
    // that request), native: the netlink package's socket aborts the process on ENOBUFS.
    const socket = new (nativeShims().NetlinkWatchSocket)({ groups: RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR, receiveBufferBytes: WATCH_RECEIVE_BUFFER_BYTES }, (error, bytes) => {
      if (error) return resync(error);
      for (const { type, body } of netlinkMessages(bytes as Buffer)) {
        if (type === RTM_NEWADDR || type === RTM_DELADDR) {
          const address = parseAddressMessage(body);
          if (address) report(address, type === RTM_DELADDR);
        } else if (type === RTM_NEWLINK || type === RTM_DELLINK) {
          const link = parseLinkMessage(body);
          if (link) onEvent({ type: 'link', link });
        }
      }
    });
    let closed = false;
    return () => {
      closed = true;
      socket.close();
    };
  }

  close(): void {
    this.socket.close();
    this.immediateSocket?.close();
    this.immediateSocket = undefined;
  }

  private immediate(): NativeNetlinkRequestSocket {
    this.immediateSocket ??= new (nativeShims().NetlinkRequestSocket)();
    return this.immediateSocket;
  }

  /** A request answered by one acknowledgement, sent and answered in this call (once the window lets it go). */
  private async requestImmediately(type: number, body: Buffer, flags: number, operation: string): Promise<void> {
    this.held?.clear();
    const errno = await this.requests.acknowledged(async () => this.sendOnImmediateSocket(netlinkMessage(type, flags, 0, body)));
    if (errno !== 0) throw new NetlinkError(getSystemErrorName(-errno), operation);
  }

  /** A whole message on the immediate socket under the next sequence number, answered in this call: 0, or the kernel's errno. */
  private sendOnImmediateSocket(message: Buffer): number {
    this.immediateSequence = (this.immediateSequence + 1) >>> 0;
    message.writeUInt32LE(this.immediateSequence, NLMSG_SEQ_OFFSET);
    return this.immediate().request(message);
  }

  /** A request answered by one acknowledgement; a refusal is a NetlinkError for this request alone. */
  private async request(type: number, body: Buffer, flags: number, operation: string): Promise<void> {
    this.held?.clear();
    try {
      await this.requests.acknowledged(() => this.socket.request(type, [body], { flags }));
    } catch (error) {
      throw netlinkError(error, operation);
    }
  }

  /**
   * A dump of one message type, parsed once and shared by every caller that asked for it before
   * it left: 254 VIPs removed at once each look their address up, and each parsing the whole
   * dump of 254 addresses made the removal slower than one at a time.
   */
  private async dump<T>(type: number, body: Buffer, operation: string, parse: (message: { data: Uint8Array }) => T | undefined): Promise<T[]> {
    const held = this.held;
    let answer = held?.get(type) as Promise<T[]> | undefined;
    if (!answer) {
      answer = this.requests.dump(`${type}`, async () => {
        const [messages] = await this.socket.request(type, [body], { flags: NLM_F_REQUEST | NLM_F_DUMP });
        return messages.map(parse).filter((item): item is T => item !== undefined);
      });
      if (held) {
        held.set(type, answer);
        // A failed dump is asked for again by the next caller.
        answer.catch(() => held.get(type) === answer && held.delete(type));
      }
    }
    try {
      return (await answer).slice();
    } catch (error) {
      throw netlinkError(error, operation);
    }
  }
}

/**
 * At most this many acknowledged requests await their answer at once. Each answer waits in the
 * socket's receive buffer (about 1 KiB of it each, ~208 KiB by default) until the loop reads it;
 * one that does not fit is dropped by the kernel (ENOBUFS) and its request would never be answered.
 */
const MAX_IN_FLIGHT = 64;

interface Waiting {
  readonly dumpKey?: string;
  readonly start: () => void;
  /** For a dump: the answer callers that asked before it left share. */
  readonly shared?: Promise<unknown>;
}

/**
 * Which requests go to the kernel when. Requests answered by one acknowledgement (add, delete) go
 * without waiting for the previous one's answer: the package matches each answer to its request by
 * sequence number, so each refusal stays with its own request, and the kernel applies them in the
 * order sent (the socket sends in order). A dump goes alone: its multipart answer spans several
 * reads, and the package can follow only one at a time (with another answer between its parts it
 * reported "Multipart message not terminated properly"; a second dump meanwhile got EBUSY). In
 * order of asking: nothing overtakes a dump asked before it.
 */
export class RequestWindow {
  private inFlight = 0;
  private dumping = false;
  private readonly waiting: Waiting[] = [];
  /** How to fail each request sent and not yet answered (failInFlight). */
  private readonly sent = new Set<(error: Error) => void>();
  peakInFlight = 0;

  /** No request waiting or awaiting its answer. */
  get idle(): boolean {
    return this.inFlight === 0 && this.waiting.length === 0;
  }

  acknowledged<T>(request: () => Promise<T>): Promise<T> {
    return this.enqueue(undefined, request);
  }

  /**
   * A dump; callers asking for the same one while it waits share its answer (254 VIPs removed at
   * once each look their interface and address up: two dumps, not 254). Never one already sent:
   * its answer may be older than the caller's question.
   */
  dump<T>(key: string, request: () => Promise<T>): Promise<T> {
    const queued = this.waiting.find((entry) => entry.dumpKey === key);
    if (queued?.shared) return queued.shared as Promise<T>;
    return this.enqueue(key, request);
  }

  /** Fails every request awaiting its answer with `error` and frees their places (the answers were lost). */
  failInFlight(error: Error): void {
    for (const fail of [...this.sent]) fail(error);
  }

  private enqueue<T>(dumpKey: string | undefined, request: () => Promise<T>): Promise<T> {
    let start!: () => void;
    const answer = new Promise<T>((resolve, reject) => {
      start = () => {
        this.inFlight += 1;
        this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
        if (dumpKey !== undefined) this.dumping = true;
        // Settled once: by its answer, or by failInFlight when the answer was lost.
        const settle = (outcome: () => void): void => {
          if (!this.sent.delete(fail)) return;
          outcome();
          this.inFlight -= 1;
          if (dumpKey !== undefined) this.dumping = false;
          this.next();
        };
        const fail = (error: Error): void => settle(() => reject(error));
        this.sent.add(fail);
        request().then(
          (value) => settle(() => resolve(value)),
          (error: unknown) => settle(() => reject(error)),
        );
      };
    });
    this.waiting.push(dumpKey === undefined ? { start } : { dumpKey, start, shared: answer });
    this.next();
    return answer;
  }

  private next(): void {
    for (let first = this.waiting[0]; first !== undefined; first = this.waiting[0]) {
      if (this.dumping || this.inFlight >= MAX_IN_FLIGHT || (first.dumpKey !== undefined && this.inFlight > 0)) return;
      this.waiting.shift();
      first.start();
    }
  }
}

function addressKey(address: AddressMessage): string {
  return `${address.interfaceIndex} ${address.address}/${address.prefixLength}`;
}

/** What changed between the addresses known and those present: removals, then additions. */
export function addressChanges(known: ReadonlyMap<string, AddressMessage>, present: readonly AddressMessage[]): Array<{ address: AddressMessage; removed: boolean }> {
  const now = new Map(present.map((address) => [addressKey(address), address]));
  return [
    ...[...known].filter(([key]) => !now.has(key)).map(([, address]) => ({ address, removed: true })),
    // New, or with other flags: an IPv6 address done with duplicate address detection is notified
    // again without IFA_F_TENTATIVE, and only then usable.
    ...[...now].filter(([key, address]) => known.get(key)?.flags !== address.flags).map(([, address]) => ({ address, removed: false })),
  ];
}

/** One netlink message: struct nlmsghdr (length, type, flags, sequence, port 0: the kernel fills it in) and the body. */
export function netlinkMessage(type: number, flags: number, sequence: number, body: Buffer): Buffer {
  const header = Buffer.alloc(NLMSG_HDRLEN);
  header.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  header.writeUInt16LE(type, 4);
  header.writeUInt16LE(flags, 6);
  header.writeUInt32LE(sequence, NLMSG_SEQ_OFFSET);
  return Buffer.concat([header, body]);
}

/** The messages of one netlink datagram (struct nlmsghdr each, 4-byte aligned); a bad length ends it. */
export function netlinkMessages(bytes: Buffer): Array<{ type: number; body: Buffer }> {
  const messages: Array<{ type: number; body: Buffer }> = [];
  for (let offset = 0; offset + NLMSG_HDRLEN <= bytes.length; ) {
    const length = bytes.readUInt32LE(offset);
    if (length < NLMSG_HDRLEN || offset + length > bytes.length) break;
    messages.push({ type: bytes.readUInt16LE(offset + 4), body: bytes.subarray(offset + NLMSG_HDRLEN, offset + length) });
    offset += (length + 3) & ~3;
  }
  return messages;
}

/**
 * The errno's name: the native shim's errors carry its number (errno, positive), the netlink
 * package's name it in their text ("Request rejected: EEXIST").
 */
function netlinkError(error: unknown, operation: string): NetlinkError {
  const { message, errno } = error as Error & { errno?: number };
  const name = typeof errno === 'number' && errno > 0 ? getSystemErrorName(-errno) : /\b(E[A-Z0-9]+)\b/.exec(message)?.[1];
  return new NetlinkError(name ?? message, operation);
}
