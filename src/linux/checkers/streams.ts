// The checkers' streams and datagrams on Linux: the shim's native stream on the main loop
// (native-tls-stream.ts: unverified TLS, and plain TCP), else node:net / node:tls connections, and
// connected node:dgram sockets, reporting to the pure checkers (src/checkers) through their port. Events
// stop at close(); an error after a close is swallowed (the check has its result already).
import { createSocket as createUdpSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, createSecureContext, type SecureContext } from 'node:tls';
import { openNativeTlsStream } from './native-tls-stream.js';
import type { Datagram, DatagramEvents, DatagramOptions, IoError, Stream, StreamEvents, StreamOptions } from '../../checkers/io.js';

/** An IPv6 link-local address needs its interface as scope (`bind_if`). */
function scoped(address: string, family: 'ipv4' | 'ipv6', interfaceName: string | undefined): string {
  return family === 'ipv6' && interfaceName !== undefined && /^fe[89ab]/i.test(address) ? `${address}%${interfaceName}` : address;
}

function ioError(error: unknown): IoError {
  const failure = error as NodeJS.ErrnoException & { reason?: unknown };
  // An OpenSSL error's message is its whole error queue line ("806C...:error:0A00010B:SSL
  // routines:ssl3_get_record:wrong version number:../deps/openssl/...:350:"); its reason is the part
  // that tells an operator anything.
  const message = typeof failure.reason === 'string' && failure.reason !== '' && /:error:/.test(failure.message) ? failure.reason : failure.message;
  return { code: failure.code ?? 'EIO', message };
}

/**
 * The TLS context of an unverified check, made once: without one, every connection makes its own
 * (OpenSSL's context, Node's root certificates), a large part of a check's CPU.
 */
let unverified: SecureContext | undefined;

export function openStream(options: StreamOptions, events: StreamEvents): Stream {
  let closed = false;
  let socket: Socket | undefined;
  let connected = false;
  let secured = false;
  const fail = (error: unknown): void => {
    if (closed) return;
    closed = true;
    socket?.destroy();
    events.error(ioError(error), !connected ? 'connect' : options.tls && !secured ? 'handshake' : 'transfer');
  };
  const connection = {
    host: scoped(options.address, options.family, options.interfaceName),
    port: options.port,
    family: options.family === 'ipv4' ? (4 as const) : (6 as const),
    ...(options.localAddress !== undefined ? { localAddress: scoped(options.localAddress, options.family, options.interfaceName) } : {}),
    ...(options.localPort !== undefined ? { localPort: options.localPort } : {}),
  };
  const attach = (opened: Socket): void => {
    socket = opened;
    opened.on('connect', () => {
      connected = true;
      if (closed) return;
      if (options.tls) events.handshaking?.();
      else events.connected();
    });
    opened.on('secureConnect', () => {
      secured = true;
      if (!closed) events.connected();
    });
    opened.on('data', (chunk: Buffer) => {
      if (!closed) events.data(chunk);
    });
    opened.on('end', () => {
      if (!closed) events.end();
    });
    opened.on('error', fail);
  };
  const tls = options.tls;
  if (tls) {
    // keepalived verifies nothing; with verify_certificate the chain must lead to the CA file's.
    const start = (ca: Buffer | undefined): void => {
      if (closed) return;
      attach(
        connectTls({
          ...connection,
          ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
          rejectUnauthorized: ca !== undefined,
          ...(ca !== undefined ? { ca } : { secureContext: (unverified ??= createSecureContext()) }),
          // Verified, the name checked is the SNI name, else the address connected to.
          ...(ca !== undefined && tls.servername === undefined ? { servername: '' } : {}),
        }),
      );
    };
    if (tls.caFile !== undefined) {
      readFile(tls.caFile).then(start, (error: unknown) => fail({ code: 'ENOENT', message: `cannot read the CA file ${tls.caFile}: ${(error as Error).message}` }));
    } else {
      const native = openNativeTlsStream({ ...connection, ...(tls.servername !== undefined ? { servername: tls.servername } : {}) }, events);
      if (native !== undefined) return native;
      start(undefined);
    }
  } else {
    // HTTP_GET and TCP_CHECK: the shim's plain TCP stream where this thread has it (main loop).
    const native = openNativeTlsStream({ ...connection, plain: true }, events);
    if (native !== undefined) return native;
    attach(connectTcp(connection));
  }
  return {
    write: (bytes) => {
      if (!closed) socket?.write(bytes);
    },
    close: (notify = false) => {
      if (closed) return;
      closed = true;
      // tls_compliant: end() sends close_notify; otherwise close at once, as keepalived's quiet shutdown.
      if (notify && secured) socket?.destroySoon();
      else socket?.destroy();
    },
  };
}

export function openDatagram(options: DatagramOptions, events: DatagramEvents): Datagram {
  let closed = false;
  const socket = createUdpSocket({ type: options.family === 'ipv4' ? 'udp4' : 'udp6' });
  socket.on('error', (error) => {
    if (closed) return;
    closed = true;
    socket.close();
    events.error(ioError(error));
  });
  socket.on('message', (message) => {
    if (!closed) events.message(message);
  });
  socket.bind({ port: options.localPort ?? 0, ...(options.localAddress !== undefined ? { address: scoped(options.localAddress, options.family, options.interfaceName) } : {}) }, () => {
    if (closed) return;
    // A connected socket hears ICMP port unreachable as ECONNREFUSED (keepalived's udp_bind_connect).
    socket.connect(options.port, scoped(options.address, options.family, options.interfaceName), () => {
      if (!closed) events.ready();
    });
  });
  return {
    send: (bytes) => {
      if (closed) return;
      socket.send(bytes, (error) => {
        if (error) socket.emit('error', error);
      });
    },
    close: () => {
      if (closed) return;
      closed = true;
      socket.close();
    },
  };
}
