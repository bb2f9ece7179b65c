// What the checkers need from the host, as ports: a byte stream (TCP, optionally with TLS), a
// connected datagram socket (UDP) and ICMP echo. src/linux/checkers implements them with
// node:net, node:tls, node:dgram and raw sockets; tests drive the checkers through fakes of
// them on a virtual clock. Everything is event-driven: nothing here may block the event loop,
// and no event fires during the call that opens a socket (always in a later turn).
import type { AddressFamily } from '../core/address.js';

/** A socket error as the host reports it: an errno name (ECONNREFUSED, ECONNRESET, ...) or a TLS error code. */
export interface IoError {
  readonly code: string;
  readonly message: string;
}

/** Where a stream or datagram socket goes, and from where. */
export interface SocketTarget {
  readonly address: string;
  readonly family: AddressFamily;
  readonly port: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  /** The scope of an IPv6 link-local address (bind_if). */
  readonly interfaceName?: string;
}

export interface StreamOptions extends SocketTarget {
  /** TLS on top of the connection: `connected` waits for the handshake. */
  readonly tls?: {
    /** Server Name Indication; none when absent. */
    readonly servername?: string;
    /** Verify the server's chain against this PEM file; no verification when absent. */
    readonly caFile?: string;
  };
}

export interface StreamEvents {
  /** TCP connected (and, with TLS, the handshake done). */
  connected(): void;
  /** With TLS: TCP is connected, the handshake starts. */
  handshaking?(): void;
  data(chunk: Uint8Array): void;
  /** The peer closed its side (EOF). */
  end(): void;
  /** Any failure; nothing else is called after it. `handshake` tells a TLS handshake error. */
  error(error: IoError, during: 'connect' | 'handshake' | 'transfer'): void;
}

export interface Stream {
  write(bytes: Uint8Array): void;
  /**
   * Calls now the `handshaking` event a stream tells only when asked (the native TLS stream: one
   * call into JavaScript less per check), if it is due and not yet told. A check that times out
   * asks before it reads its stage; `connected` and a handshake's `error` bring it on their own.
   */
  reportStage?(): void;
  /** Closes at once; `notify`: with TLS, send close_notify first (tls_compliant). No event follows. */
  close(notify?: boolean): void;
}

export type DatagramOptions = SocketTarget;

export interface DatagramEvents {
  /** The socket is bound and connected: send now. */
  ready(): void;
  message(bytes: Uint8Array): void;
  /** ECONNREFUSED when an ICMP port unreachable came back, or any other socket error. */
  error(error: IoError): void;
}

export interface Datagram {
  send(bytes: Uint8Array): void;
  close(): void;
}

export interface EchoOptions {
  readonly address: string;
  readonly family: AddressFamily;
  readonly localAddress?: string;
  readonly interfaceName?: string;
}

export interface EchoEvents {
  /**
   * An ICMP / ICMPv6 message (without the IP header) carrying this channel's identifier, itself
   * or in the request an error quotes (icmp.ts decodes it); `source` sent it.
   */
  message(bytes: Uint8Array, source: string): void;
  error(error: IoError): void;
}

/** One checker's use of the host's echo socket: its own identifier, so replies reach it alone. */
export interface EchoChannel {
  /** The ICMP identifier to put in requests; the host delivers only messages carrying it. */
  readonly identifier: number;
  send(bytes: Uint8Array): void;
  close(): void;
}

export interface CheckerIo {
  openStream(options: StreamOptions, events: StreamEvents): Stream;
  openDatagram(options: DatagramOptions, events: DatagramEvents): Datagram;
  openEcho(options: EchoOptions, events: EchoEvents): EchoChannel;
}
