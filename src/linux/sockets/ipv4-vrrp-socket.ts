// VRRP over IPv4 on one interface, through the `raw-socket` package: IP protocol 112, bound to the
// interface, TTL 255 and TOS 0xC0 as keepalived sends (RFC 5798 §5.1.1.3), multicast joined on the
// interface, our own multicast not looped back.
import { createSocket, SocketLevel, type Socket } from 'raw-socket';
import { addressToBytes } from '../../core/address.js';
import { VRRP_PROTOCOL_NUMBER } from '../../vrrp/packet/checksum.js';
import type { OpenChannel, ReceivedPacket } from '../../daemon/vrrp/ports.js';
import { parseIpv4Packet } from './ipv4-header.js';

// Linux socket option numbers (linux/in.h, asm-generic/socket.h).
const SO_BINDTODEVICE = 25;
const IP_TOS = 1;
const IP_TTL = 2;
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;
/** RFC 2474 class selector 6 (network control), as keepalived sets it. */
const TOS_NETWORK_CONTROL = 0xc0;
const VRRP_TTL = 255;
/** strerror(3) of EAGAIN and ENOBUFS: the send buffer is full for now; the packet waits its turn. */
const TRANSIENT_SEND_ERRORS = /temporarily unavailable|no buffer space/i;

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

/** struct ip_mreqn { imr_multiaddr; imr_address; imr_ifindex }. */
function ipMreqn(group: string, local: string, interfaceIndex: number): Buffer {
  const buffer = Buffer.alloc(12);
  buffer.set(addressToBytes('ipv4', group), 0);
  buffer.set(addressToBytes('ipv4', local), 4);
  buffer.writeInt32LE(interfaceIndex, 8);
  return buffer;
}

export class Ipv4VrrpSocket implements OpenChannel {
  private constructor(
    private readonly socket: Socket,
    readonly sourceAddress: string,
    private readonly onSendError: (error: Error) => void,
  ) {}

  static open(options: Ipv4SocketOptions, onPacket: (packet: ReceivedPacket) => void, onError: (error: Error) => void): Ipv4VrrpSocket {
    let socket: Socket;
    try {
      socket = createSocket({ protocol: VRRP_PROTOCOL_NUMBER, bufferSize: 65535 });
    } catch (error) {
      const message = (error as Error).message;
      throw new SocketError(/not permitted/i.test(message) ? 'cannot open a raw IP socket: needs root or CAP_NET_RAW' : `cannot open a raw IP socket: ${message}`);
    }
    try {
      const device = Buffer.from(`${options.interfaceName}\0`);
      socket.setOption(SocketLevel.SOL_SOCKET, SO_BINDTODEVICE, device, device.length);
      socket.setOption(SocketLevel.IPPROTO_IP, IP_TTL, VRRP_TTL);
      socket.setOption(SocketLevel.IPPROTO_IP, IP_TOS, TOS_NETWORK_CONTROL);
      socket.setOption(SocketLevel.IPPROTO_IP, IP_MULTICAST_TTL, VRRP_TTL);
      socket.setOption(SocketLevel.IPPROTO_IP, IP_MULTICAST_LOOP, 0);
      const sendVia = ipMreqn('0.0.0.0', options.sourceAddress, options.interfaceIndex);
      socket.setOption(SocketLevel.IPPROTO_IP, IP_MULTICAST_IF, sendVia, sendVia.length);
      for (const group of options.groups) {
        const membership = ipMreqn(group, '0.0.0.0', options.interfaceIndex);
        socket.setOption(SocketLevel.IPPROTO_IP, IP_ADD_MEMBERSHIP, membership, membership.length);
      }
    } catch (error) {
      socket.close();
      throw new SocketError(`cannot set up the VRRP socket on ${options.interfaceName}: ${(error as Error).message}`);
    }
    socket.on('message', (buffer) => {
      const packet = parseIpv4Packet(buffer);
      if (!packet || packet.protocol !== VRRP_PROTOCOL_NUMBER) return;
      onPacket({ bytes: packet.payload, source: packet.source, destination: packet.destination, ttl: packet.ttl });
    });
    socket.on('error', onError);
    return new Ipv4VrrpSocket(socket, options.sourceAddress, onError);
  }

  /**
   * Sends at once, in the caller's turn of the event loop. raw-socket's own send() queues a packet
   * until the socket's next writable poll, which put everything else that turn did between a
   * decision and its advertisement: on SIGTERM the priority-0 advertisement (RFC 5798 §6.4.3) left
   * after the whole shutdown, 2.0 ms after the signal against keepalived's 0.1 (bench/RESULTS.md).
   * Only when the kernel cannot take the packet now (or earlier ones still wait) does it queue.
   */
  send(bytes: Uint8Array, destination: string): void {
    // A view, not a copy: the bytes are never modified once handed over (AdvertisementChannel).
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.socket.requests.length === 0) {
      try {
        this.socket.wrap.send(buffer, 0, buffer.length, destination, () => undefined);
        return;
      } catch (error) {
        if (!TRANSIENT_SEND_ERRORS.test((error as Error).message)) {
          this.onSendError(new SocketError(`sending to ${destination}: ${(error as Error).message}`));
          return;
        }
      }
    }
    this.socket.send(buffer, 0, buffer.length, destination, (error) => {
      if (error) this.onSendError(new SocketError(`sending to ${destination}: ${error.message}`));
    });
  }

  close(): void {
    this.socket.close();
  }
}
