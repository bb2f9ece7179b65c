// BFD's UDP sockets, through the native shim (native-shims/bfd_socket.cc), which reports each
// datagram's TTL / hop limit and destination: Node's dgram reports neither. One receiving socket
// per family and port (RFC 5881 §4: single-hop Control packets go to UDP 3784; RFC 5883 §5:
// multi-hop to 4784), and one sending socket per session, bound to its source address and to a
// source port in 49152-65535 that it keeps for the session's life (RFC 5881 §4).
import { addressToBytes, bytesToAddress, type AddressFamily } from '../../core/address.js';
import { nativeShims, type NativeBfdSocket } from '../native.js';

export const SINGLE_HOP_PORT = 3784;
export const MULTI_HOP_PORT = 4784;
/** RFC 5881 §4: "The source port MUST be in the range 49152 through 65535." */
export const SOURCE_PORT_FIRST = 49152;
export const SOURCE_PORT_LAST = 65535;

const EPERM = 1;
const EADDRINUSE = 98;
const EACCES = 13;

export class BfdSocketError extends Error {
  override readonly name = 'BfdSocketError';
}

/** A datagram as the session table wants it (the family and port are the socket's). */
export interface ReceivedDatagram {
  readonly payload: Uint8Array;
  readonly source: string;
  readonly sourcePort: number;
  readonly destination?: string;
  /** Undefined when the kernel gave no TTL (it always does with IP_RECVTTL / IPV6_RECVHOPLIMIT). */
  readonly ttl?: number;
}

const familyNumber = (family: AddressFamily): 4 | 6 => (family === 'ipv4' ? 4 : 6);
const bytes = (family: AddressFamily, address: string): Buffer => Buffer.from(addressToBytes(family, address));

export class BfdSocket {
  private constructor(
    private readonly socket: NativeBfdSocket,
    readonly family: AddressFamily,
    /** The local port bound. */
    readonly port: number,
  ) {}

  /**
   * The socket Control packets arrive on: any local address, `port` (3784 or 4784). Without
   * `onDatagram` it is not read here: a BfdPacer reads it (native-timers.ts), from fd().
   */
  static listen(family: AddressFamily, port: number, onDatagram: ((datagram: ReceivedDatagram) => void) | undefined, onError: (error: Error) => void): BfdSocket {
    const where = `UDP ${port} (${family === 'ipv4' ? 'IPv4' : 'IPv6'})`;
    try {
      const socket = new (nativeShims().BfdSocket)({ family: familyNumber(family), port, ttl: 255, poll: onDatagram !== undefined }, (error, payload, source, sourcePort, destination, ttl) => {
        if (error) return onError(new BfdSocketError(`receiving on ${where}: ${error.message}`));
        if (!payload || !source || sourcePort === undefined || !onDatagram) return;
        onDatagram({
          payload,
          source: bytesToAddress(family, source),
          sourcePort,
          ...(destination ? { destination: bytesToAddress(family, destination) } : {}),
          ...(ttl !== undefined ? { ttl } : {}),
        });
      });
      return new BfdSocket(socket, family, port);
    } catch (error) {
      throw opening(error, where, `another BFD daemon (FRR's bfdd, keepalived) may hold ${where} in this network namespace`);
    }
  }

  /**
   * A session's sending socket, bound to `local` (any address when absent) and a free port of
   * 49152-65535, starting from a random one as keepalived does.
   */
  static sender(family: AddressFamily, local: string | undefined, ttl: number, random: () => number): BfdSocket {
    const span = SOURCE_PORT_LAST - SOURCE_PORT_FIRST + 1;
    const first = Math.floor(random() * span);
    const where = `${local ?? 'any address'} (${family === 'ipv4' ? 'IPv4' : 'IPv6'})`;
    for (let i = 0; i < span; i++) {
      const port = SOURCE_PORT_FIRST + ((first + i) % span);
      try {
        const socket = new (nativeShims().BfdSocket)(
          { family: familyNumber(family), port, ttl, ...(local !== undefined ? { address: bytes(family, local) } : {}) },
          // Nothing is sent to a source port; whatever arrives is read and dropped.
          () => undefined,
        );
        return new BfdSocket(socket, family, port);
      } catch (error) {
        if ((error as { errno?: number }).errno === EADDRINUSE) continue;
        throw opening(error, `a BFD source port on ${where}`, `is ${local} an address of this host?`);
      }
    }
    throw new BfdSocketError(`no free BFD source port (${SOURCE_PORT_FIRST}-${SOURCE_PORT_LAST}) on ${where}`);
  }

  /** Sends one datagram; a failure is returned, not thrown (a lost packet is BFD's business). */
  send(payload: Uint8Array, address: string, port: number): Error | undefined {
    try {
      this.socket.send(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength), bytes(this.family, address), port);
      return undefined;
    } catch (error) {
      return new BfdSocketError(`sending to ${address} port ${port}: ${(error as Error).message}`);
    }
  }

  /** The descriptor, for the BfdPacer (which duplicates it). */
  fd(): number {
    return this.socket.fd();
  }

  close(): void {
    this.socket.close();
  }
}

function opening(error: unknown, what: string, hint: string): BfdSocketError {
  const failure = error as Error & { errno?: number };
  if (failure.errno === EPERM || failure.errno === EACCES) return new BfdSocketError(`cannot open ${what}: permission denied`);
  if (failure.errno === EADDRINUSE) return new BfdSocketError(`cannot open ${what}: the port is in use (${hint})`);
  return new BfdSocketError(`cannot open ${what}: ${failure.message}${failure.errno === 99 ? ` (${hint})` : ''}`);
}
