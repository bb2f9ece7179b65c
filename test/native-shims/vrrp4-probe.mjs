// Runs inside a lab namespace (`ip netns exec NS node vrrp4-probe.mjs JSON`): opens vrrpd's IPv4
// VRRP socket (src/linux/sockets/ipv4-vrrp-socket.ts, the daemon's own adapter) on eth0 as told,
// sends the given payloads (`repeat` times each, in one go), and prints one JSON line per packet
// received until `listenMs` is over, with the loop turn it was read in, the call from the shim
// that handed it over, and how long it waited. `hold`: once the socket is
// open, the event loop is held (a blocking read of stdin) until a line arrives there, so packets
// pile up in the socket meanwhile. Each packet's `arrival` is the kernel's receipt on
// CLOCK_MONOTONIC's own scale (the same in every process and namespace; so are firstDue, lastDue and releasedAt). `holdFirst`: the first packet's repeats are held
// (Ipv4VrrpSocket.holdRepeats) and, at the end, what was counted is printed. It ends after
// `listenMs`, or sooner: once `until` packets were handed over, or (`untilStdinEnd`) 300 ms after
// its standard input ends - a loaded machine may start the sender late. Uses dist/ (test/helpers/global-setup.ts builds it).
import { readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Ipv4VrrpSocket } from '../../dist/linux/sockets/ipv4-vrrp-socket.js';
import { clockMsOf, monotonicMs } from '../../dist/linux/monotonic.js';

const options = JSON.parse(process.argv[2]);
const interfaceIndex = Number(readFileSync(join('/sys/class/net', 'eth0', 'ifindex'), 'utf8'));
let turn = 0;
let counting = false;
let call = 0;
let inCall = false;
let held;
let received = 0;
const socket = Ipv4VrrpSocket.open(
  { interfaceName: 'eth0', interfaceIndex, sourceAddress: options.source, groups: options.groups ?? [] },
  (packet) => {
    // Packets read in one poll phase share a turn; the check phase (setImmediate) ends it.
    if (!counting) {
      counting = true;
      setImmediate(() => {
        turn++;
        counting = false;
      });
    }
    // Node runs the microtask queue after each call from the shim into JavaScript: packets handed
    // over in one call share a call number.
    if (!inCall) {
      inCall = true;
      queueMicrotask(() => {
        call++;
        inCall = false;
      });
    }
    const { bytes, source, destination, ttl, ageMs } = packet;
    const arrival = ageMs === undefined ? undefined : clockMsOf(monotonicMs() - ageMs);
    console.log(JSON.stringify({ payload: Buffer.from(bytes).toString('hex'), source, destination, ttl, ageMs, arrival, turn, call }));
    if (++received === options.until) setImmediate(finish);
    if (options.holdFirst && held === undefined) {
      held = socket.holdRepeats(bytes[1], packet);
      // `readPause`: with the repeats held, the socket may pause its reads (Ipv4VrrpSocket.setReadPause).
      if (options.readPause) socket.setReadPause(options.readPause.delayMs, Number.POSITIVE_INFINITY, 1);
      console.log(JSON.stringify({ holding: held !== undefined, at: monotonicMs() }));
    }
  },
  (error) => console.log(JSON.stringify({ error: error.message })),
);
console.log(JSON.stringify({ ready: true }));
// `holdSends`: the socket sends one advertisement itself (Ipv4VrrpSocket.holdSends), first
// `firstInMs` from now and every `intervalMs` after, for `forMs`; then what it counted is printed
// and the hold released. A refused send is printed as `refused`.
if (options.holdSends) {
  const { payload, destination, intervalMs, firstInMs, forMs } = options.holdSends;
  const bytes = Buffer.from(payload, 'hex');
  const firstDue = monotonicMs() + firstInMs;
  const sends = socket.holdSends(bytes[1], [{ bytes, destination }], intervalMs, firstDue, () => console.log(JSON.stringify({ refused: true, at: monotonicMs() })));
  console.log(JSON.stringify({ holdingSends: sends !== undefined, firstDue: clockMsOf(firstDue) }));
  setTimeout(() => {
    // Released first, as the router does (held-sends.ts): the socket's thread may send until then.
    sends.release();
    console.log(JSON.stringify({ sentByHost: sends.take(), lastDue: clockMsOf(sends.lastDue()), releasedAt: clockMsOf(monotonicMs()) }));
  }, forMs);
  // `blocks`: the loop held by JavaScript (a busy wait, as a long collection or a stuck daemon
  // would hold it) `forMs` from `afterFirstMs` past the first due time; each printed as it ended,
  // with the due time it spans and the last due time sent by then. `untilSentWithinMs`: the block
  // also lasts until the send due inside it has left (lastDue, read without taking the count), at
  // most that long past its start: a timer that fired late under load, or a thread that got a core
  // late, still finds a due time inside the block, and whether it left while JavaScript held the
  // loop is what the test reads (no wall-clock limit decides it).
  for (const block of options.holdSends.blocks ?? []) {
    setTimeout(() => {
      const from = monotonicMs();
      const spans = firstDue + Math.ceil((from - firstDue) / intervalMs) * intervalMs;
      for (;;) {
        const now = monotonicMs();
        if (now < from + block.forMs) continue;
        if (block.untilSentWithinMs === undefined || sends.lastDue() >= spans || now >= from + block.untilSentWithinMs) break;
      }
      console.log(JSON.stringify({ blocked: { from: clockMsOf(from), to: clockMsOf(monotonicMs()), spans: clockMsOf(spans), lastDue: clockMsOf(sends.lastDue()) } }));
    }, firstInMs + block.afterFirstMs);
  }
}
if (options.hold) readSync(0, Buffer.alloc(1));
// `spacingMs` (per packet): that long after the previous one, each of its repeats too.
for (const packet of options.send ?? []) {
  for (let i = 0; i < (packet.repeat ?? 1); i++) {
    if (packet.spacingMs) await new Promise((resolve) => setTimeout(resolve, packet.spacingMs));
    socket.send(Buffer.from(packet.payload, 'hex'), packet.destination);
  }
}
if (options.send) console.log(JSON.stringify({ sent: true }));
let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  if (held) console.log(JSON.stringify({ held: held.take(), lastArrival: held.lastArrival(), now: monotonicMs() }));
  held?.release();
  socket.close();
  clearTimeout(ending);
  process.stdin.destroy();
}
const ending = setTimeout(finish, options.listenMs ?? 0);
if (options.untilStdinEnd) process.stdin.on('end', () => setTimeout(finish, 300)).resume();
