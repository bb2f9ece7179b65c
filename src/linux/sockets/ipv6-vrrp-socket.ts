// VRRP over IPv6 on one interface, through the native shim's raw socket (native-shims/vrrp6_socket.cc):
// IP protocol 112, bound to the interface and to our source address (the interface's link-local
// address, RFC 5798 §5.1.2.1, or unicast_src_ip), hop limit 255 (§5.1.2.3), checksum computed by
// the kernel, multicast joined on the interface and not looped back. Each packet comes with the
// hop limit it arrived with, so the receive checks can reject anything but 255 (§7.1).
import { addressToBytes, bytesToAddress } from '../../core/address.js';
import type { OpenChannel, ReceivedPacket } from '../../daemon/vrrp/ports.js';
import { nativeShims, type NativeVrrp6Socket } from '../native.js';
import { SocketError } from './ipv4-vrrp-socket.js';

const VRRP_HOP_LIMIT = 255;
/** Whether Ipv6VrrpSocket.rehearse ran in this process. */
let rehearsed = false;
const EPERM = 1;

export interface Ipv6SocketOptions {
  readonly interfaceName: string;
  readonly interfaceIndex: number;
  /** Our address: the source of our advertisements. Undefined: receive only, from any address (vrrpd watch). */
  readonly sourceAddress?: string;
  readonly groups: readonly string[];
  /** false: bad checksums reach us (vrrpd watch reports them); nothing can be sent right. Default true. */
  readonly kernelChecksum?: boolean;
}

/** Link-local and multicast destinations need the interface as scope; global ones do not. */
export function needsScope(address: string): boolean {
  const bytes = addressToBytes('ipv6', address);
  return bytes[0] === 0xff || (bytes[0] === 0xfe && ((bytes[1] ?? 0) & 0xc0) === 0x80);
}

export class Ipv6VrrpSocket implements OpenChannel {
  private constructor(
    private readonly socket: NativeVrrp6Socket,
    private readonly interfaceIndex: number,
    readonly sourceAddress: string,
    private readonly onSendError: (error: Error) => void,
  ) {}

  static open(options: Ipv6SocketOptions, onPacket: (packet: ReceivedPacket) => void, onError: (error: Error) => void): Ipv6VrrpSocket {
    const bytes = (address: string): Buffer => Buffer.from(addressToBytes('ipv6', address));
    let socket: NativeVrrp6Socket;
    try {
      socket = new (nativeShims().Vrrp6Socket)(
        {
          interfaceName: options.interfaceName,
          interfaceIndex: options.interfaceIndex,
          hopLimit: VRRP_HOP_LIMIT,
          groups: options.groups.map(bytes),
          ...(options.kernelChecksum !== undefined ? { kernelChecksum: options.kernelChecksum } : {}),
          ...(options.sourceAddress !== undefined ? { source: bytes(options.sourceAddress) } : {}),
        },
        (error, payload, source, destination, hopLimit) => {
          if (error) {
            onError(new SocketError(`receiving on ${options.interfaceName}: ${error.message}`));
            return;
          }
          if (!payload || !source || !destination) return;
          onPacket({ bytes: payload, source: bytesToAddress('ipv6', source), destination: bytesToAddress('ipv6', destination), ttl: hopLimit });
        },
      );
    } catch (error) {
      const failure = error as Error & { errno?: number };
      throw new SocketError(
        failure.errno === EPERM
          ? 'cannot open a raw IPv6 socket: needs root or CAP_NET_RAW'
          : `cannot set up the IPv6 VRRP socket on ${options.interfaceName}: ${failure.message}`,
      );
    }
    if (!rehearsed) {
      rehearsed = true;
      Ipv6VrrpSocket.rehearse();
    }
    return new Ipv6VrrpSocket(socket, options.interfaceIndex, options.sourceAddress ?? '::', onError);
  }

  /** Runs the sending code once, against a stand-in that sends nothing (see Ipv4VrrpSocket.rehearse). */
  static rehearse(): void {
    const standIn: NativeVrrp6Socket = { send: () => 0, armResignation: () => -1, close: () => undefined };
    const rehearsal = new Ipv6VrrpSocket(standIn, 1, '2001:db8::1', () => undefined);
    const bytes = new Uint8Array(8);
    rehearsal.send(bytes, 'ff02::12');
    rehearsal.armResignation(bytes, 'ff02::12');
  }

  send(bytes: Uint8Array, destination: string): void {
    try {
      this.socket.send(Buffer.from(bytes), Buffer.from(addressToBytes('ipv6', destination)), needsScope(destination) ? this.interfaceIndex : 0);
    } catch (error) {
      this.onSendError(new SocketError(`sending to ${destination}: ${(error as Error).message}`));
    }
  }

  /** See AdvertisementChannel.armResignation (native-shims/signal_resignation.cc). */
  armResignation(bytes: Uint8Array, destination: string): (() => void) | undefined {
    const slot = this.socket.armResignation(Buffer.from(bytes), Buffer.from(addressToBytes('ipv6', destination)), needsScope(destination) ? this.interfaceIndex : 0);
    return slot < 0 ? undefined : () => nativeShims().withdrawResignation(slot);
  }

  close(): void {
    this.socket.close();
  }
}
