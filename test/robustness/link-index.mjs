// Inside a lab namespace: LinuxPlatform's address port adds VIPs on v0; the interface index is
// looked up once, when prepared at start (link dumps counted), and after v0 is deleted and made again (a new index, with no
// link notification followed here) the next add still lands on the new v0. Prints the counts and
// where each address is.
import { createLogger, ip, LinuxPlatform, makeV0, on } from './v0-host.mjs';

const index = () => JSON.parse(ip('-j', 'link', 'show', 'dev', 'v0'))[0].ifindex;

makeV0();
const platform = new LinuxPlatform(createLogger({ level: 'silent' }));
const netlink = platform.netlink;
const links = netlink.links.bind(netlink);
let dumps = 0;
netlink.links = async () => {
  dumps += 1;
  return links();
};
const vip = (n) => ({ family: 'ipv4', address: `192.0.2.${n}`, prefixLength: 32, device: 'v0' });
// At start (routers.ts): the lookup a takeover's first add would otherwise do.
await platform.addresses.prepare(vip(101));
const prepared = dumps;
await platform.addresses.add(vip(101));
const afterFirst = dumps;
await platform.addresses.add(vip(102));
await platform.addresses.add(vip(103));
const afterThree = dumps;
const before = index();
ip('link', 'del', 'v0');
makeV0();
await platform.addresses.add(vip(104));
process.stdout.write(JSON.stringify({ prepared, afterFirst, afterThree, recreated: index() !== before, afterRecreate: dumps, on: on() }) + '\n');
platform.close();
