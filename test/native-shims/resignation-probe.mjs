// Runs inside a lab namespace (`ip netns exec NS node resignation-probe.mjs JSON`): opens vrrpd's
// IPv4 VRRP socket on eth0, arms the priority-0 advertisements given (`armed`, hex payload and
// destination; those marked `withdrawn` are taken back at once), listens for SIGTERM as the daemon
// does (process.on, then resignOnSignals; `watcherOnly`: the watcher thread without the handler),
// prints {"ready":true} and holds its only JavaScript loop in a blocking read of stdin. When a line
// arrives it lets the loop run; the JavaScript SIGTERM listener prints
// {"heard":true,"sentByHandler":N,"by":"handler"|"watcher"}, and the probe then sends `after`
// through the socket as the daemon's shutdown would, waits a little and exits. Uses dist/
// (test/helpers/global-setup.ts builds it).
import { readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { Ipv4VrrpSocket } from '../../dist/linux/sockets/ipv4-vrrp-socket.js';
import { nativeShims } from '../../dist/linux/native.js';
import { resignationsSent, resignationTrace, resignOnSignals } from '../../dist/linux/signal-resignation.js';

const options = JSON.parse(process.argv[2]);
const say = (line) => console.log(JSON.stringify(line));
const interfaceIndex = Number(readFileSync(join('/sys/class/net', 'eth0', 'ifindex'), 'utf8'));
const socket = Ipv4VrrpSocket.open({ interfaceName: 'eth0', interfaceIndex, sourceAddress: options.source, groups: [] }, () => undefined, (error) => say({ error: error.message }));
for (const packet of options.armed) {
  const withdraw = socket.armResignation(Buffer.from(packet.payload, 'hex'), packet.destination);
  if (!withdraw) say({ error: 'no slot' });
  else if (packet.withdrawn) withdraw();
}
process.on('SIGTERM', () => {
  say({ heard: true, sentByHandler: resignationsSent(), by: resignationTrace()?.by });
  for (const packet of options.after) socket.send(Buffer.from(packet.payload, 'hex'), packet.destination);
  setTimeout(() => {
    socket.close();
    process.exit(0);
  }, 300);
});
if (options.watcherOnly) nativeShims().resignOnSignals([15], true, false);
else {
  resignOnSignals(['SIGTERM']);
  // A second call changes nothing (it must not hand the signal on to itself, nor start a second watcher).
  resignOnSignals(['SIGTERM']);
}
say({ ready: true });
readSync(0, Buffer.alloc(1));
