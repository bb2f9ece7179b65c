// Servers that misbehave, for the checkers' tests (`node hostile-server.mjs ADDRESS[,ADDRESS...]
// [CERTDIR]`): each port one way of misbehaving, on every address given (IPv4 and IPv6). Ports
// 80xx speak plain TCP; with CERTDIR (server.pem / server.key, and self.pem / self.key: a
// certificate no CA signed) ports 81xx do the same behind a completed TLS handshake, and a few
// more misbehave in the handshake itself. Prints {"ready":true} once listening, and one JSON line
// per connection when it ends: {port, address, written} (bytes the server managed to send, TLS
// payload bytes for 81xx).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { TLSSocket } from 'node:tls';

const addresses = process.argv[2].split(',');
const certDir = process.argv[3];
const HUNDRED_MB = 100 * 1024 * 1024;
const chunk = Buffer.alloc(64 * 1024, 0x61);

/** Writes `total` bytes of `chunk`s as fast as the peer takes them; counts what left. */
function flood(socket, total, state) {
  const more = () => {
    while (state.written < total) {
      const piece = chunk.subarray(0, Math.min(chunk.length, total - state.written));
      state.written += piece.length;
      if (!socket.write(piece)) return socket.once('drain', more);
    }
    socket.end();
  };
  more();
}

/** After the request: `socket` is what the client talks HTTP over, `raw` the TCP connection (to reset it). */
const behaviours = {
  // Accepts and never answers.
  1: () => undefined,
  // Trickles a valid-looking response a byte every 200 ms, never finishing its header.
  2: (socket, state) => {
    const text = 'HTTP/1.0 200 OK\r\n' + 'X-Slow: '.padEnd(4000, 'x');
    let i = 0;
    const timer = setInterval(() => {
      if (i >= text.length || socket.destroyed) return clearInterval(timer);
      socket.write(text[i++]);
      state.written++;
    }, 200);
    socket.on('close', () => clearInterval(timer));
  },
  // A 200 with a 100 MB body.
  3: (socket, state) => {
    socket.once('data', () => {
      const header = `HTTP/1.0 200 OK\r\nContent-Length: ${HUNDRED_MB}\r\n\r\n`;
      socket.write(header);
      state.written += header.length;
      flood(socket, HUNDRED_MB + header.length, state);
    });
  },
  // 100 MB with no end of header.
  4: (socket, state) => socket.once('data', () => flood(socket, HUNDRED_MB, state)),
  // Resets the connection as soon as the request arrives.
  5: (socket, state, raw) => socket.once('data', () => raw.resetAndDestroy()),
  // Sends half a status line, then resets.
  6: (socket, state, raw) =>
    socket.once('data', () => {
      socket.write('HTTP/1.0 20');
      state.written += 11;
      setTimeout(() => raw.resetAndDestroy(), 100);
    }),
  // Closes as soon as the request arrives, having sent nothing.
  7: (socket) => socket.once('data', () => socket.end()),
  // Answers at once with a status nobody accepts.
  8: (socket, state) =>
    socket.once('data', () => {
      const response = 'HTTP/1.0 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n';
      state.written += response.length;
      socket.end(response);
    }),
};

/** Misbehaving in the TLS handshake itself (CERTDIR only). */
const handshakes = {
  // Resets the connection when the ClientHello arrives.
  8120: (raw) => raw.once('data', () => raw.resetAndDestroy()),
  // Answers the ClientHello with bytes that are not TLS.
  8121: (raw, state) =>
    raw.once('data', () => {
      state.written += 20;
      raw.write('HTTP/1.0 400 Bad\r\n\r\n');
    }),
  // Trickles a handshake record of 16 KiB a byte every 200 ms (a handshake that never completes).
  8122: (raw, state) =>
    raw.once('data', () => {
      const record = Buffer.concat([Buffer.of(0x16, 0x03, 0x03, 0x40, 0x00, 0x02), Buffer.alloc(16383)]);
      const timer = setInterval(() => {
        if (raw.destroyed || state.written >= record.length) return clearInterval(timer);
        raw.write(record.subarray(state.written, state.written + 1));
        state.written++;
      }, 200);
      raw.on('close', () => clearInterval(timer));
    }),
};

const tlsFiles = certDir && {
  signed: { cert: readFileSync(join(certDir, 'server.pem')), key: readFileSync(join(certDir, 'server.key')) },
  self: { cert: readFileSync(join(certDir, 'self.pem')), key: readFileSync(join(certDir, 'self.key')) },
};

const ports = new Map();
for (const [n, behave] of Object.entries(behaviours)) {
  ports.set(8000 + Number(n), (raw, state) => behave(raw, state, raw));
  if (tlsFiles) {
    ports.set(8100 + Number(n), (raw, state) => {
      const socket = new TLSSocket(raw, { isServer: true, ...tlsFiles.signed });
      socket.on('error', () => undefined);
      socket.once('secure', () => behave(socket, state, raw));
    });
  }
}
if (tlsFiles) {
  for (const [port, behave] of Object.entries(handshakes)) ports.set(Number(port), behave);
  // A healthy server behind a certificate no CA signed, for another name: passes unless verified.
  ports.set(8130, (raw, state) => {
    const socket = new TLSSocket(raw, { isServer: true, ...tlsFiles.self });
    socket.on('error', () => undefined);
    socket.once('data', () => {
      const response = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok';
      state.written += response.length;
      socket.end(response);
    });
  });
}

let listening = 0;
const sockets = new Set();
for (const address of addresses) {
  for (const [port, behave] of ports) {
    const server = createServer((raw) => {
      const state = { written: 0 };
      sockets.add(raw);
      raw.on('error', () => undefined);
      raw.on('close', () => {
        sockets.delete(raw);
        console.log(JSON.stringify({ port, address, written: state.written }));
      });
      behave(raw, state);
    });
    server.listen(port, address, () => {
      if (++listening === ports.size * addresses.length) console.log(JSON.stringify({ ready: true }));
    });
  }
}
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
