// Runs inside a lab namespace (`ip netns exec NS node packets-waiting-probe.mjs`): asks the shim's
// packetsWaiting (native-shims/monotonic_timer.cc, RealClock's question to the loop's VRRP
// sockets) with no socket, with vrrpd's IPv4 VRRP socket open on lo and empty, with a packet it sent
// itself to 127.0.0.1 in its queue (before the loop has read it), once the loop has read it, and
// after the socket is closed; prints them as one JSON line. Uses dist/ (test/helpers/global-setup.ts builds it).
import { nativeShims } from '../../dist/linux/native.js';
import { Ipv4VrrpSocket } from '../../dist/linux/sockets/ipv4-vrrp-socket.js';

const ask = () => nativeShims().packetsWaiting();
const answers = { none: ask() };
let received = 0;
const socket = Ipv4VrrpSocket.open(
  { interfaceName: 'lo', interfaceIndex: 1, sourceAddress: '127.0.0.1', groups: [] },
  () => void received++,
  (error) => console.log(JSON.stringify({ error: error.message })),
);
console.log(JSON.stringify({ ready: true }));
answers.empty = ask();
socket.send(new Uint8Array([0x31, 7, 100, 1, 0, 100, 0, 0, 192, 0, 2, 100]), '127.0.0.1');
// Loopback delivers within the send as a rule; the loop is not let go meanwhile, so nothing reads it.
const until = performance.now() + 2000;
let queued = ask();
while (!queued && performance.now() < until) queued = ask();
answers.queued = queued;
answers.readBefore = received;
const read = () => {
  if (received === 0 && performance.now() < until + 3000) {
    setTimeout(read, 10);
    return;
  }
  answers.read = received;
  answers.afterRead = ask();
  socket.close();
  answers.closed = ask();
  console.log(JSON.stringify(answers));
};
setTimeout(read, 10);
