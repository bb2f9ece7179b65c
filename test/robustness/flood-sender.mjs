// Sends VRRP payloads as fast as asked from inside a lab namespace, through vrrpd's own IPv4 VRRP
// socket (TTL 255, multicast on the given interface): argv = interface, ifindex, source address,
// file of hex payloads (one per line), packets per second, seconds. Prints how many it sent.
// Plain JS so it runs with node inside `ip netns exec` against the compiled dist/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [interfaceName, interfaceIndex, sourceAddress, payloadFile, rate, seconds] = process.argv.slice(2);
const root = join(import.meta.dirname, '..', '..');
const { Ipv4VrrpSocket } = await import(join(root, 'dist', 'linux', 'sockets', 'ipv4-vrrp-socket.js'));
const payloads = readFileSync(payloadFile, 'utf8').trim().split('\n').map((hex) => Buffer.from(hex, 'hex'));
let errors = 0;
const socket = Ipv4VrrpSocket.open(
  { interfaceName, interfaceIndex: Number(interfaceIndex), sourceAddress, groups: [] },
  () => undefined,
  () => errors++,
);
const perTick = Math.max(1, Math.round(Number(rate) / 100));
const end = performance.now() + Number(seconds) * 1000;
let sent = 0;
let next = performance.now();
while (performance.now() < end) {
  for (let i = 0; i < perTick; i++) socket.send(payloads[sent++ % payloads.length], '224.0.0.18');
  next += 10;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
}
await new Promise((resolve) => setTimeout(resolve, 200));
socket.close();
process.stdout.write(JSON.stringify({ sent, errors }) + '\n');
