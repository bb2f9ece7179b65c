// VRRP over IPv4 on one interface, through the native shim's raw socket (native-shims/vrrp4_socket.cc):
// IP protocol 112, bound to the interface, TTL 255 and TOS 0xC0 as keepalived sends (RFC 5798
// §5.1.1.3), multicast joined on the interface, our own multicast not looped back. Each readable
// event reads every packet waiting (up to a bound) and hands them over in one call; the shim
// strips the IP headers and reports each packet's source, destination and TTL, and how long it
// had waited since the kernel's receipt.
import { addressToBytes } from '../../core/address.js';
import type { OpenChannel, ReceivedPacket } from '../../daemon/vrrp/ports.js';
import { nativeShims, type NativeVrrp4Socket } from '../native.js';

const EPERM = 1;
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

  private constructor(
    private readonly socket: NativeVrrp4Socket,
    readonly sourceAddress: string,
    private readonly onSendError: (error: Error) => void,
    /** Set by close(): the rest of a wake-up's packets are not handed on. */
    private readonly state: { closed: boolean },
  ) {}

  static open(options: Ipv4SocketOptions, onPacket: (packet: ReceivedPacket) => void, onError: (error: Error) => void): Ipv4VrrpSocket {
    const bytes = (address: string): Buffer => Buffer.from(addressToBytes('ipv4', address));
    const state = { closed: false };
    let socket: NativeVrrp4Socket;
    try {
      socket = new (nativeShims().Vrrp4Socket)(
        { interfaceName: options.interfaceName, interfaceIndex: options.interfaceIndex, source: bytes(options.sourceAddress), groups: options.groups.map(bytes) },
        (error, payloads, packets, sources, destinations) => {
          if (error) {
            onError(new SocketError(`on ${options.interfaceName}: ${error.message}`));
            return;
          }
          if (!payloads || !packets || !sources || !destinations) return;
          // Everything one wake-up read, in the kernel's order; a packet's bytes are a view of
          // the wake-up's one buffer (never reused). Once closed (by a packet before), no more.
          let start = 0;
          for (let i = 0; i < sources.length && !state.closed; i++) {
            const end = packets[3 * i]!;
            const ageMs = packets[3 * i + 2]!;
            onPacket({ bytes: payloads.subarray(start, end), source: sources[i]!, destination: destinations[i]!, ttl: packets[3 * i + 1], ageMs: Number.isNaN(ageMs) ? undefined : ageMs });
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
    return new Ipv4VrrpSocket(socket, options.sourceAddress, onError, state);
  }

  /**
   * Runs the sending code once, against a stand-in that sends nothing. A Backup sends its first
   * advertisement when it takes over: V8 compiled this code then, before the advertisement left
   * (0.1-0.2 ms on a 2-core machine, V8's function events). The IPv6 socket does the same.
   */
  static rehearse(): void {
    const standIn: NativeVrrp4Socket = { send: () => 0, armResignation: () => -1, close: () => undefined };
    const rehearsal = new Ipv4VrrpSocket(standIn, '192.0.2.1', () => undefined, { closed: false });
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
      this.socket.send(asBuffer(bytes), this.destination(destination));
    } catch (error) {
      this.onSendError(new SocketError(`sending to ${destination}: ${(error as Error).message}`));
    }
  }

  /** See AdvertisementChannel.armResignation (native-shims/signal_resignation.cc). */
  armResignation(bytes: Uint8Array, destination: string): (() => void) | undefined {
    const slot = this.socket.armResignation(asBuffer(bytes), this.destination(destination));
    return slot < 0 ? undefined : () => nativeShims().withdrawResignation(slot);
  }

  /** Destinations as the kernel wants them, made once each. */
  private destination(text: string): Buffer {
    let to = this.destinations.get(text);
    if (!to) {
      to = Buffer.from(addressToBytes('ipv4', text));
      this.destinations.set(text, to);
    }
    return to;
  }

  close(): void {
    this.state.closed = true;
    this.socket.close();
  }
}

/** A view, not a copy: the bytes are never modified once handed over (AdvertisementChannel). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
