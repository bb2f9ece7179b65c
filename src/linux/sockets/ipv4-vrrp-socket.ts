// VRRP over IPv4 on one interface, through the native shim's raw socket (native-shims/vrrp4_socket.cc):
// IP protocol 112, bound to the interface, TTL 255 and TOS 0xC0 as keepalived sends (RFC 5798
// §5.1.1.3), multicast joined on the interface, our own multicast not looped back. Each readable
// event reads every packet waiting (up to a bound) and hands them over in one call; the shim
// strips the IP headers and reports each packet's source, destination and TTL, and how long it
// had waited since the kernel's receipt.
import { addressToBytes } from '../../core/address.js';
import type { HeldPacket, OpenChannel, ReceivedPacket } from '../../daemon/vrrp/ports.js';
import type { HeldRepeats } from '../../vrrp/protocol/held-repeats.js';
import type { HeldSends } from '../../vrrp/protocol/held-sends.js';
import { clockMsOf, monotonicMsOf } from '../monotonic.js';
import { nativeShims, VRRP4_FIELDS, type NativeShims, type NativeVrrp4Socket } from '../native.js';

/** VRRPD_HOLD_REPEATS=0: every packet handed over, as before held repeats (for A/B measurements). */
const HOLD_REPEATS = process.env.VRRPD_HOLD_REPEATS !== '0';
/** VRRPD_READ_PAUSE=0: a held socket reads every packet as it comes (for A/B measurements). */
const READ_PAUSE = process.env.VRRPD_READ_PAUSE !== '0';
/** VRRPD_HOLD_SENDS=0: every advertisement sent by the daemon's own Adver_Timer, as before held sends. */
const HOLD_SENDS = process.env.VRRPD_HOLD_SENDS !== '0';

const EPERM = 1;

/** An IPv4 address's four bytes, as the shim takes them. */
const ipv4Bytes = (address: string): Buffer => Buffer.from(addressToBytes('ipv4', address));
/** Whether Ipv4VrrpSocket.rehearse ran in this process. */
let rehearsed = false;

export class SocketError extends Error {
  override readonly name = 'SocketError';
}

export interface Ipv4SocketOptions {
  readonly interfaceName: string;
  readonly interfaceIndex: number;
  /** Our address on the interface: the source of our advertisements. */
  readonly sourceAddress: string;
  readonly groups: readonly string[];
}

export class Ipv4VrrpSocket implements OpenChannel {
  /** Destinations as the kernel wants them, by text: a Master sends to the same one or few every interval. */
  private readonly destinations = new Map<string, Buffer>();
  private lastDestination = '';
  private lastTo: Buffer = Buffer.alloc(0);

  private constructor(
    private readonly socket: NativeVrrp4Socket,
    readonly sourceAddress: string,
    private readonly onSendError: (error: Error) => void,
    /** Set by close(): the rest of a wake-up's packets are not handed on. */
    private readonly state: SocketState,
  ) {}

  /** `native`: the shim's socket class; the daemon bundle's warm-up passes one that sends nothing (src/cli/warm-up-host.ts). */
  static open(
    options: Ipv4SocketOptions,
    onPacket: (packet: ReceivedPacket) => void,
    onError: (error: Error) => void,
    native: () => NativeShims['Vrrp4Socket'] = () => nativeShims().Vrrp4Socket,
  ): Ipv4VrrpSocket {
    const state: SocketState = { closed: false, refusedSends: new Map() };
    const received: MutableReceivedPacket = { bytes: EMPTY, source: '', destination: '', ttl: undefined, ageMs: undefined };
    const sources = new DottedQuadText();
    const destinations = new DottedQuadText();
    const views: Uint8Array[] = [];
    let viewsOf: Uint8Array | undefined;
    let socket: NativeVrrp4Socket;
    try {
      socket = new (native())(
        { interfaceName: options.interfaceName, interfaceIndex: options.interfaceIndex, source: ipv4Bytes(options.sourceAddress), groups: options.groups.map(ipv4Bytes) },
        (error, count, payloads, packets) => {
          if (error) {
            const vrid = (error as { heldVrid?: unknown }).heldVrid;
            if (typeof vrid === 'number') {
              // A held send the kernel refused: said as a send of the daemon's own would be, and
              // the advertisements are the router's to send again.
              onError(new SocketError(`sending VRID ${vrid}'s advertisement: ${error.message}`));
              state.refusedSends.get(vrid)?.();
              return;
            }
            onError(new SocketError(`on ${options.interfaceName}: ${error.message}`));
            return;
          }
          if (count === undefined || !payloads || !packets) return;
          // Everything one wake-up read, in the kernel's order, handed on one at a time in one
          // object (the socket's buffers and this object are reused: onPacket keeps nothing).
          // Once closed (by a packet before), no more.
          let start = 0;
          for (let i = 0; i < count && !state.closed; i++) {
            const at = VRRP4_FIELDS * i;
            const end = packets[at]!;
            const ageMs = packets[at + 2]!;
            // The views of the socket's buffer are kept from one call to the next: a wake-up
            // reads the same advertisements as the last one, in the same places (no view per packet).
            if (payloads !== viewsOf) {
              views.length = 0;
              viewsOf = payloads;
            }
            let view = views[i];
            if (view === undefined || view.byteOffset !== start || view.length !== end - start) view = views[i] = payloads.subarray(start, end);
            received.bytes = view;
            received.ttl = packets[at + 1];
            received.ageMs = Number.isNaN(ageMs) ? undefined : ageMs;
            received.source = sources.of(packets[at + 3]!);
            received.destination = destinations.of(packets[at + 4]!);
            onPacket(received);
            start = end;
          }
        },
      );
    } catch (error) {
      const failure = error as Error & { errno?: number };
      throw new SocketError(
        failure.errno === EPERM ? 'cannot open a raw IP socket: needs root or CAP_NET_RAW' : `cannot set up the VRRP socket on ${options.interfaceName}: ${failure.message}`,
      );
    }
    if (!rehearsed) {
      rehearsed = true;
      Ipv4VrrpSocket.rehearse();
    }
    const channel = new Ipv4VrrpSocket(socket, options.sourceAddress, onError, state);
    // The group's sockaddr bytes now, not at a Backup's first advertisement: made there, by a
    // process that had not sent to it yet, they took 30-50 us between the Master_Down_Timer's
    // expiry and the advertisement's send (in-process marks, 2-core machine, issue 16).
    for (const group of options.groups) channel.destination(group);
    return channel;
  }

  /**
   * Runs the sending code once, against a stand-in that sends nothing. A Backup sends its first
   * advertisement when it takes over: V8 compiled this code then, before the advertisement left
   * (0.1-0.2 ms on a 2-core machine, V8's function events). The IPv6 socket does the same.
   */
  static rehearse(): void {
    const standIn: NativeVrrp4Socket = { send: () => 0, armResignation: () => -1, close: () => undefined };
    const rehearsal = new Ipv4VrrpSocket(standIn, '192.0.2.1', () => undefined, { closed: false, refusedSends: new Map() });
    const bytes = new Uint8Array(8);
    rehearsal.send(bytes, '224.0.0.18');
    rehearsal.armResignation(bytes, '224.0.0.18');
  }

  /**
   * Sends at once, in the caller's turn of the event loop: on SIGTERM the priority-0 advertisement
   * (RFC 5798 §6.4.3) must not wait for the rest of the shutdown (raw-socket's queue made it leave
   * 2.0 ms after the signal against keepalived's 0.1, bench/RESULTS.md). Only when the kernel
   * cannot take the packet now (or earlier ones still wait) does the shim queue it.
   */
  send(bytes: Uint8Array, destination: string): void {
    try {
      this.socket.send(bytes, this.destination(destination));
    } catch (error) {
      this.onSendError(new SocketError(`sending to ${destination}: ${(error as Error).message}`));
    }
  }

  /** See AdvertisementChannel.armResignation (native-shims/signal_resignation.cc). */
  armResignation(bytes: Uint8Array, destination: string): (() => void) | undefined {
    const slot = this.socket.armResignation(bytes, this.destination(destination));
    return slot < 0 ? undefined : () => nativeShims().withdrawResignation(slot);
  }

  /**
   * OpenChannel.holdRepeats through the shim (vrrp4_socket.cc, "held repeats"): the count and the
   * last receipt are read from the socket's table, written by the shim as packets are read.
   */
  holdRepeats(vrid: number, packet: ReceivedPacket): HeldRepeats | undefined {
    const socket = this.socket;
    if (!HOLD_REPEATS || this.state.closed || socket.holdRepeats === undefined || socket.releaseRepeats === undefined) return undefined;
    const table = socket.holdRepeats(vrid, ipv4Bytes(packet.source), ipv4Bytes(packet.destination), packet.bytes);
    const state = this.state;
    let held = true;
    return {
      take: () => {
        if (!held) return 0;
        const count = table[2 * vrid]!;
        table[2 * vrid] = 0;
        return count;
      },
      lastArrival: () => (held ? monotonicMsOf(table[2 * vrid + 1]!) : Number.NaN),
      release: () => {
        if (!held) return;
        held = false;
        if (!state.closed) socket.releaseRepeats?.(vrid);
      },
    };
  }

  /**
   * AdvertisementChannel.holdSends through the shim (vrrp4_socket.cc, "held sends"): the count and
   * the last due time are read from the socket's table, written by the shim as it sends.
   */
  holdSends(vrid: number, packets: readonly HeldPacket[], intervalMs: number, firstDue: number, onRefused: () => void): HeldSends | undefined {
    const socket = this.socket;
    if (!HOLD_SENDS || this.state.closed || socket.holdSends === undefined || socket.releaseSends === undefined) return undefined;
    const table = socket.holdSends(
      vrid,
      packets.map((packet) => packet.bytes),
      packets.map((packet) => this.destination(packet.destination)),
      intervalMs,
      clockMsOf(firstDue),
    );
    const state = this.state;
    state.refusedSends.set(vrid, onRefused);
    let held = true;
    return {
      take: () => {
        const count = table[2 * vrid]!;
        table[2 * vrid] = 0;
        return count;
      },
      lastDue: () => monotonicMsOf(table[2 * vrid + 1]!),
      release: () => {
        if (!held) return;
        held = false;
        state.refusedSends.delete(vrid);
        if (!state.closed) socket.releaseSends?.(vrid);
      },
    };
  }

  /** OpenChannel.setReadPause through the shim (vrrp4_socket.cc, "the read pause"). */
  setReadPause(delayMs: number, notAfter: number, routers: number): void {
    if (!READ_PAUSE || this.state.closed) return;
    this.socket.setReadPause?.(delayMs, notAfter === Number.POSITIVE_INFINITY ? Number.MAX_VALUE : clockMsOf(notAfter), routers);
  }

  /** Destinations as the kernel wants them, made once each; the last one without a lookup (nearly every send goes to the group). */
  private destination(text: string): Buffer {
    if (text === this.lastDestination) return this.lastTo;
    let to = this.destinations.get(text);
    if (!to) {
      to = ipv4Bytes(text);
      this.destinations.set(text, to);
    }
    this.lastDestination = text;
    this.lastTo = to;
    return to;
  }

  close(): void {
    this.state.closed = true;
    this.socket.close();
  }
}

/** What the socket's callback and its channel share. */
interface SocketState {
  /** Set by close(): the rest of a wake-up's packets are not handed on. */
  closed: boolean;
  /** Per held VRID, what to tell when the shim ends its hold on a refused send. */
  readonly refusedSends: Map<number, () => void>;
}

type MutableReceivedPacket = { -readonly [K in keyof ReceivedPacket]: ReceivedPacket[K] };

const EMPTY = new Uint8Array(0);

/**
 * The text of an address the shim hands over as a number, made only when it differs from the last
 * one: a channel hears its Masters' advertisements, from one source to one group each, in runs
 * (issue 16: no string per packet). One for sources, one for destinations.
 */
class DottedQuadText {
  private last = -1;
  private text = '';

  of(address: number): string {
    if (address !== this.last) {
      this.last = address;
      this.text = dottedQuad(address);
    }
    return this.text;
  }
}

function dottedQuad(address: number): string {
  return `${address >>> 24}.${(address >>> 16) & 0xff}.${(address >>> 8) & 0xff}.${address & 0xff}`;
}
