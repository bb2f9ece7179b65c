// Inside a lab namespace: many address changes and dumps at once on one Rtnetlink, as several
// instances becoming Master or Backup together cause. Prints the failures as JSON.
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const { Rtnetlink } = await import(join(root, 'dist', 'linux', 'netlink', 'rtnetlink.js'));
const netlink = Rtnetlink.open();
const index = (await netlink.link('eth0')).index;
const failures = [];
const spec = (i) => ({ family: 'ipv4', address: `198.51.100.${i + 1}`, prefixLength: 32, interfaceIndex: index });
const count = Number(process.argv[2] ?? 40);
const track = (p, what) => p.catch((error) => failures.push(`${what}: ${error.message}`));
await Promise.all(Array.from({ length: count }, (_, i) => [track(netlink.addAddress(spec(i)), `add ${i}`), track(netlink.addresses(), `dump ${i}`), track(netlink.links(), `links ${i}`)]).flat());
const present = (await netlink.addresses('ipv4')).filter((a) => a.address.startsWith('198.51.100.')).length;
await Promise.all(Array.from({ length: count }, (_, i) => [track(netlink.deleteAddress(spec(i)), `delete ${i}`), track(netlink.addresses(), `dump ${i}`)]).flat());
const left = (await netlink.addresses('ipv4')).filter((a) => a.address.startsWith('198.51.100.')).length;
netlink.close();
process.stdout.write(JSON.stringify({ failures, present, left }) + '\n');
