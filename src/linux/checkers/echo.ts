// PING_CHECK's ICMP on Linux: raw ICMP and ICMPv6 sockets through the `raw-socket` package, the
// raw-socket support vrrpd already has (it needs CAP_NET_RAW, which VRRP needs anyway).
// keepalived opens an unprivileged "ping" socket per check and rewrites the host-wide
// net.ipv4.ping_group_range to be allowed to; vrrpd changes no sysctl.
//
// A raw ICMP socket receives every ICMP message of the host, so one socket per family (and per
// source address and interface) serves every checker: each checker gets its own identifier and
// the socket hands it only the messages carrying it. A kernel filter (ICMP_FILTER,
// ICMP6_FILTER) lets through only echo replies and destination-unreachable errors.
import { endianness } from 'node:os';
import { createSocket, SocketLevel, type Socket } from 'raw-socket';
import type { AddressFamily } from '../../core/address.js';
import { addressToBytes } from '../../core/address.js';
import { echoIdentifierOf, fillIcmpv6Checksum } from '../../checkers/icmp.js';
import type { EchoChannel, EchoEvents, EchoOptions, IoError } from '../../checkers/io.js';
import { parseIpv4Packet } from '../sockets/ipv4-header.js';

// Linux numbers (linux/in.h, linux/icmp.h, linux/in6.h, netinet/icmp6.h, asm-generic/socket.h).
const IPPROTO_ICMP = 1;
const IPPROTO_ICMPV6 = 58;
const SOL_RAW = 255;
const ICMP_FILTER = 1;
const ICMP6_FILTER = 1;
const IP_HDRINCL = 3;
const IPV6_HDRINCL = 36;
const SO_BINDTODEVICE = 25;
const ICMP_ECHO_REPLY = 0;
const ICMP_UNREACHABLE = 3;
const ICMP6_UNREACHABLE = 1;
const ICMP6_ECHO_REPLY = 129;
const IPV4_TTL = 64;
const IPV6_HOP_LIMIT = 64;
/** How long a socket with no checker left stays open (a checker opens a channel per attempt). */
const LINGER_MS = 5000;

interface SharedSocket {
  readonly socket: Socket;
  readonly channels: Map<number, EchoEvents>;
  linger: NodeJS.Timeout | undefined;
  /** With bindto: the IP header is ours (IP_HDRINCL / IPV6_HDRINCL), with the source in it. */
  readonly header: Buffer | undefined;
}

function socketError(error: unknown): IoError {
  const message = (error as Error).message;
  return { code: /not permitted/i.test(message) ? 'EPERM' : 'EIO', message: /not permitted/i.test(message) ? 'cannot open a raw ICMP socket: needs root or CAP_NET_RAW' : message };
}

/** ICMP_FILTER's bit mask (set bits are dropped) / icmp6_filter's 256 bits. */
function kernelFilter(family: AddressFamily): Buffer {
  if (family === 'ipv4') {
    const filter = Buffer.alloc(4);
    filter.writeUInt32LE(~((1 << ICMP_ECHO_REPLY) | (1 << ICMP_UNREACHABLE)) >>> 0);
    return filter;
  }
  const words = new Uint32Array(8).fill(0xffffffff);
  for (const type of [ICMP6_ECHO_REPLY, ICMP6_UNREACHABLE]) words[type >> 5] = (words[type >> 5] ?? 0) & ~(1 << (type & 31));
  const filter = Buffer.alloc(32);
  words.forEach((word, i) => (endianness() === 'LE' ? filter.writeUInt32LE(word >>> 0, i * 4) : filter.writeUInt32BE(word >>> 0, i * 4)));
  return filter;
}

/** The message behind our own IP header: destination and length in, and (IPv6) the ICMPv6 checksum. */
function withHeader(header: Buffer, options: EchoOptions, message: Uint8Array): Buffer {
  const packet = Buffer.concat([header, message]);
  const destination = addressToBytes(options.family, options.address);
  if (options.family === 'ipv4') {
    packet.set(destination, 16);
    return packet;
  }
  packet.writeUInt16BE(message.length, 4);
  packet.set(destination, 24);
  fillIcmpv6Checksum(packet.subarray(40), packet.subarray(8, 24), destination);
  return packet;
}

export class EchoSockets {
  private readonly sockets = new Map<string, SharedSocket>();
  private nextIdentifier = (process.pid * 7919) & 0xffff;

  open(options: EchoOptions, events: EchoEvents): EchoChannel {
    const key = `${options.family} ${options.localAddress ?? ''} ${options.interfaceName ?? ''}`;
    let shared = this.sockets.get(key);
    if (!shared) {
      try {
        shared = this.create(options, key);
      } catch (error) {
        return this.failed(events, socketError(error));
      }
      this.sockets.set(key, shared);
    }
    const entry = shared;
    if (entry.linger) clearTimeout(entry.linger);
    entry.linger = undefined;
    const identifier = this.allocate(entry);
    entry.channels.set(identifier, events);
    const destination = options.family === 'ipv6' && options.interfaceName !== undefined && /^fe[89ab]/i.test(options.address) ? `${options.address}%${options.interfaceName}` : options.address;
    let open = true;
    return {
      identifier,
      send: (bytes) => {
        if (!open) return;
        const packet = entry.header ? withHeader(entry.header, options, bytes) : Buffer.from(bytes);
        entry.socket.send(packet, 0, packet.length, destination, (error) => {
          if (error && open) queueMicrotask(() => events.error({ code: /unreachable/i.test(error.message) ? 'EHOSTUNREACH' : 'EIO', message: error.message }));
        });
      },
      close: () => {
        if (!open) return;
        open = false;
        entry.channels.delete(identifier);
        if (entry.channels.size === 0) {
          entry.linger = setTimeout(() => {
            if (entry.channels.size > 0) return;
            entry.socket.close();
            this.sockets.delete(key);
          }, LINGER_MS);
          entry.linger.unref();
        }
      },
    };
  }

  /** Closes every socket (vrrpd stopping). */
  close(): void {
    for (const entry of this.sockets.values()) {
      if (entry.linger) clearTimeout(entry.linger);
      entry.socket.close();
    }
    this.sockets.clear();
  }

  private failed(events: EchoEvents, error: IoError): EchoChannel {
    let open = true;
    setImmediate(() => {
      if (open) events.error(error);
    });
    return { identifier: 0, send: () => undefined, close: () => (open = false) };
  }

  private allocate(entry: SharedSocket): number {
    for (;;) {
      this.nextIdentifier = (this.nextIdentifier + 1) & 0xffff;
      if (!entry.channels.has(this.nextIdentifier)) return this.nextIdentifier;
    }
  }

  private create(options: EchoOptions, key: string): SharedSocket {
    const { family } = options;
    const socket = createSocket({ addressFamily: family === 'ipv4' ? 1 : 2, protocol: family === 'ipv4' ? IPPROTO_ICMP : IPPROTO_ICMPV6, bufferSize: 4096 });
    const channels = new Map<number, EchoEvents>();
    let header: Buffer | undefined;
    try {
      const filter = kernelFilter(family);
      socket.setOption(family === 'ipv4' ? SOL_RAW : IPPROTO_ICMPV6, family === 'ipv4' ? ICMP_FILTER : ICMP6_FILTER, filter, filter.length);
      if (options.interfaceName !== undefined) {
        const device = Buffer.from(`${options.interfaceName}\0`);
        socket.setOption(SocketLevel.SOL_SOCKET, SO_BINDTODEVICE, device, device.length);
      }
      // raw-socket cannot bind(), and Linux takes no source from a sticky IPV6_PKTINFO on a
      // raw socket: with bindto the IP header is ours, with the source in it.
      if (options.localAddress !== undefined && family === 'ipv4') {
        socket.setOption(SocketLevel.IPPROTO_IP, IP_HDRINCL, 1);
        // The kernel fills the total length, the ID and the header checksum.
        header = Buffer.alloc(20);
        header[0] = 0x45;
        header[8] = IPV4_TTL;
        header[9] = IPPROTO_ICMP;
        header.set(addressToBytes('ipv4', options.localAddress), 12);
      }
      if (options.localAddress !== undefined && family === 'ipv6') {
        socket.setOption(SocketLevel.IPPROTO_IPV6, IPV6_HDRINCL, 1);
        header = Buffer.alloc(40);
        header[0] = 0x60;
        header[6] = IPPROTO_ICMPV6;
        header[7] = IPV6_HOP_LIMIT;
        header.set(addressToBytes('ipv6', options.localAddress), 8);
      }
    } catch (error) {
      socket.close();
      throw error;
    }
    socket.on('message', (buffer: Buffer, source: string) => {
      let message: Uint8Array = buffer;
      let from = source;
      if (family === 'ipv4') {
        const packet = parseIpv4Packet(buffer);
        if (!packet || packet.protocol !== IPPROTO_ICMP) return;
        message = packet.payload;
        from = packet.source;
      }
      const identifier = echoIdentifierOf(family, message);
      if (identifier !== undefined) channels.get(identifier)?.message(message, from);
    });
    // raw-socket closes the socket after an error: the next check opens a new one.
    socket.on('error', (error: Error) => {
      this.sockets.delete(key);
      for (const events of channels.values()) events.error(socketError(error));
    });
    return { socket, channels, linger: undefined, header };
  }
}
