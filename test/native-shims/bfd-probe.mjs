// Runs inside a lab namespace (`ip netns exec NS node bfd-probe.mjs JSON`): as told, listens with
// the native BfdSocket (printing one JSON line per datagram, with its TTL and destination), and
// sends datagrams through a BfdSocket bound to a source address (`send`) or through Node's dgram
// with a chosen TTL (`sendWithTtl`, for what the kernel reports). Uses dist/ (global-setup builds it).
import { createSocket } from 'node:dgram';
import { nativeShims } from '../../dist/linux/native.js';
import { addressToBytes, bytesToAddress } from '../../dist/core/address.js';

const options = JSON.parse(process.argv[2]);
const familyOf = (address) => (address.includes(':') ? 'ipv6' : 'ipv4');
const bytes = (address) => Buffer.from(addressToBytes(familyOf(address), address));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const sockets = [];
for (const listen of options.listen ?? []) {
  const family = listen.family;
  sockets.push(
    new (nativeShims().BfdSocket)({ family: family === 'ipv4' ? 4 : 6, port: listen.port, ttl: 255 }, (error, payload, source, sourcePort, destination, ttl) => {
      if (error) console.log(JSON.stringify({ error: error.message }));
      else console.log(JSON.stringify({ payload: payload.toString('hex'), source: bytesToAddress(family, source), sourcePort, destination: destination && bytesToAddress(family, destination), ttl }));
    }),
  );
}
console.log(JSON.stringify({ ready: true }));
await sleep(options.sendDelayMs ?? 0);
for (const packet of options.send ?? []) {
  const family = familyOf(packet.to);
  const socket = new (nativeShims().BfdSocket)({ family: family === 'ipv4' ? 4 : 6, address: bytes(packet.from), port: packet.sourcePort, ttl: packet.ttl ?? 255 }, () => undefined);
  socket.send(Buffer.from(packet.payload, 'hex'), bytes(packet.to), packet.port);
  socket.close();
}
for (const packet of options.sendWithTtl ?? []) {
  const socket = createSocket(familyOf(packet.to) === 'ipv4' ? 'udp4' : 'udp6');
  await new Promise((resolve) => socket.bind(0, resolve));
  socket.setTTL(packet.ttl);
  await new Promise((resolve, reject) => socket.send(Buffer.from(packet.payload, 'hex'), packet.port, packet.to, (error) => (error ? reject(error) : resolve())));
  socket.close();
}
await sleep(options.listenMs ?? 0);
for (const socket of sockets) socket.close();
