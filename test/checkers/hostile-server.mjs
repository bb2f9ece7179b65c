// Servers that misbehave, for the checkers' tests (`ip netns exec NS node hostile-server.mjs
// ADDRESS`): each port one way of misbehaving. Prints {"ready":true} once listening, and one JSON
// line per connection when it ends: {port, written} (bytes the server managed to send).
import { createServer } from 'node:net';

const address = process.argv[2];
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

const behaviours = {
  // Accepts and never answers.
  8001: () => undefined,
  // Trickles a valid-looking response a byte every 200 ms, never finishing its header.
  8002: (socket, state) => {
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
  8003: (socket, state) => {
    socket.once('data', () => {
      const header = `HTTP/1.0 200 OK\r\nContent-Length: ${HUNDRED_MB}\r\n\r\n`;
      socket.write(header);
      state.written += header.length;
      flood(socket, HUNDRED_MB + header.length, state);
    });
  },
  // 100 MB with no end of header.
  8004: (socket, state) => socket.once('data', () => flood(socket, HUNDRED_MB, state)),
  // Resets the connection as soon as the request arrives.
  8005: (socket) => socket.once('data', () => socket.resetAndDestroy()),
  // Sends half a status line, then resets.
  8006: (socket, state) =>
    socket.once('data', () => {
      socket.write('HTTP/1.0 20');
      state.written += 11;
      setTimeout(() => socket.resetAndDestroy(), 100);
    }),
  // Closes as soon as the request arrives, having sent nothing.
  8007: (socket) => socket.once('data', () => socket.end()),
};

let listening = 0;
const sockets = new Set();
for (const [port, behave] of Object.entries(behaviours)) {
  const server = createServer((socket) => {
    const state = { written: 0 };
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      console.log(JSON.stringify({ port: Number(port), written: state.written }));
    });
    behave(socket, state);
  });
  server.listen(Number(port), address, () => {
    if (++listening === Object.keys(behaviours).length) console.log(JSON.stringify({ ready: true }));
  });
}
process.on('SIGTERM', () => {
  for (const socket of sockets) socket.destroy();
  process.exit(0);
});
