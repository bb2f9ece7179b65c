// SSL_GET's unverified connection through the shim's TlsStream (native-shims/tls_stream.cc):
// the connect, handshake and reads run in C on the loop, and this hears one call per stage and one
// per read burst. node:tls cost a check at one a second 2.4-3.3 ms of CPU, mostly its own
// JavaScript run cold; this path 1.2-1.5 (bench/RESULTS.md, "Built-in checkers"). A check that
// verifies the certificate (verify_certificate) stays on node:tls. HTTP_GET's and TCP_CHECK's plain
// TCP goes the same way (`plain`), in place of node:net's JavaScript.
import { isMainThread } from 'node:worker_threads';
import type { IoError, Stream, StreamEvents } from '../../checkers/io.js';
import { nativeShims, type NativeShims } from '../native.js';

const DURING = ['connect', 'handshake', 'transfer'] as const;

export interface NativeTlsTarget {
  readonly family: 4 | 6;
  /** With `%interface` for an IPv6 link-local address. */
  readonly host: string;
  readonly port: number;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly servername?: string;
  /** Plain TCP, no TLS: `connected` once TCP is, errors named as node:net names them. */
  readonly plain?: boolean;
}

/** The shim's TlsStream for this thread, looked up at the first use (undefined inside: none). */
let lookup: { readonly TlsStream: NativeShims['TlsStream'] } | undefined;

/**
 * The shim's stream class: the main thread's, with a shim built after it, unless
 * VRRPD_CHECKER_TLS=node asks for node:tls and node:net (A/B measurements). Not in the checkers'
 * worker: a worker terminated while a shim callback runs in it cannot report the callback's
 * exception. A shim built before plain streams (no `counts`, a six-argument connect) is not used:
 * `npm run build` does not rebuild the shim.
 */
function nativeTlsStream(): NativeShims['TlsStream'] {
  return (lookup ??= { TlsStream: isMainThread && process.env.VRRPD_CHECKER_TLS !== 'node' ? current(nativeShims().TlsStream) : undefined }).TlsStream;
}

function current(TlsStream: NativeShims['TlsStream']): NativeShims['TlsStream'] {
  return typeof TlsStream?.counts === 'function' ? TlsStream : undefined;
}

/** Whether openNativeTlsStream opens streams in this thread. */
export function haveNativeTls(): boolean {
  return nativeTlsStream() !== undefined;
}

/** The shim's stream (TLS, or plain TCP), or undefined where haveNativeTls() is false. */
export function openNativeTlsStream(target: NativeTlsTarget, events: StreamEvents): Stream | undefined {
  const TlsStream = nativeTlsStream();
  if (TlsStream === undefined) return undefined;
  let closed = false;
  // The shim tells no event when TCP connects and the handshake starts (one call into JavaScript
  // less per check): `handshaking` is told here, before what follows it, or when asked.
  const plain = target.plain === true;
  let handshakeTold = plain;
  const tellHandshaking = (): void => {
    if (handshakeTold) return;
    handshakeTold = true;
    events.handshaking?.();
  };
  const stream = new TlsStream((kind, data, message, during) => {
    if (closed) return;
    switch (kind) {
      case 1:
        tellHandshaking();
        events.connected();
        return;
      case 2:
        events.data(data as Buffer);
        return;
      case 3:
        closed = true;
        events.end();
        return;
      default:
        closed = true;
        if (during === 1) tellHandshaking();
        events.error({ code: String(data), message: message ?? '' }, DURING[during ?? 2] ?? 'transfer');
    }
  });
  const failed = stream.connect(target.family, target.host, target.port, target.localAddress ?? '', target.localPort ?? 0, target.servername ?? '', !plain);
  if (failed !== undefined) {
    // The port's rule: no event during the call that opens the socket.
    const error: IoError = { code: failed[0], message: failed[1] };
    setImmediate(() => {
      if (closed) return;
      closed = true;
      events.error(error, 'connect');
    });
  }
  return {
    write: (bytes) => {
      if (!closed) stream.write(bytes);
    },
    reportStage: () => {
      if (!closed && stream.handshaking()) tellHandshaking();
    },
    close: (notify = false) => {
      if (closed) return;
      closed = true;
      stream.close(notify);
    },
  };
}
