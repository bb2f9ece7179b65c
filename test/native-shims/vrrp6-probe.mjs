// Runs inside a lab namespace (`ip netns exec NS node vrrp6-probe.mjs JSON`): opens the native
// IPv6 VRRP socket on eth0 as told, sends the given payloads, and prints one JSON line per
// packet received until `listenMs` is over, or `afterUntilMs` after `until` packets came (a loaded
// machine may start the sender late). Uses dist/ (test/helpers/global-setup.ts builds it).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nativeShims } from '../../dist/linux/native.js';
import { addressToBytes, bytesToAddress } from '../../dist/core/address.js';

const options = JSON.parse(process.argv[2]);
const interfaceIndex = Number(readFileSync(join('/sys/class/net', options.interfaceName ?? 'eth0', 'ifindex'), 'utf8'));
const bytes = (address) => Buffer.from(addressToBytes('ipv6', address));
let received = 0;
const socket = new (nativeShims().Vrrp6Socket)(
  {
    interfaceName: options.interfaceName ?? 'eth0',
    interfaceIndex,
    hopLimit: options.hopLimit ?? 255,
    groups: (options.groups ?? []).map(bytes),
    ...(options.source ? { source: bytes(options.source) } : {}),
    ...(options.kernelChecksum !== undefined ? { kernelChecksum: options.kernelChecksum } : {}),
  },
  (error, payload, source, destination, hopLimit) => {
    if (error) console.log(JSON.stringify({ error: error.message }));
    else console.log(JSON.stringify({ payload: payload.toString('hex'), source: bytesToAddress('ipv6', source), destination: bytesToAddress('ipv6', destination), hopLimit }));
    if (!error && ++received === options.until) setTimeout(finish, options.afterUntilMs ?? 0);
  },
);
console.log(JSON.stringify({ ready: true }));
for (const packet of options.send ?? []) {
  await new Promise((resolve) => setTimeout(resolve, options.sendDelayMs ?? 0));
  const scope = packet.destination.startsWith('ff') || packet.destination.startsWith('fe80') ? interfaceIndex : 0;
  socket.send(Buffer.from(packet.payload, 'hex'), bytes(packet.destination), scope);
}
const ending = setTimeout(finish, options.listenMs ?? 0);
function finish() {
  clearTimeout(ending);
  socket.close();
}
