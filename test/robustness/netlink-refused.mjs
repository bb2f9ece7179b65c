// Inside a lab namespace: one instance's 254 VIPs added and then removed at once on one Rtnetlink,
// one of them refused each time (already there: EEXIST; already gone: EADDRNOTAVAIL). Prints each
// refusal with its address, what is left on eth0 and how many requests awaited an answer at once.
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const { Rtnetlink } = await import(join(root, 'dist', 'linux', 'netlink', 'rtnetlink.js'));
const [taken, gone] = process.argv.slice(2);
const netlink = Rtnetlink.open();
const index = (await netlink.link('eth0')).index;
const spec = (i) => ({ family: 'ipv4', address: `198.51.100.${i + 1}`, prefixLength: 32, interfaceIndex: index });
const all = Array.from({ length: 254 }, (_, i) => spec(i));
const refusals = async (change) =>
  (await Promise.allSettled(all.map((s) => change(s))))
    .map((result, i) => (result.status === 'rejected' ? `${all[i].address} ${result.reason.name} ${result.reason.errno}` : undefined))
    .filter((line) => line !== undefined);
const ours = async () => (await netlink.addresses('ipv4')).filter((a) => a.interfaceIndex === index && a.address.startsWith('198.51.100.')).map((a) => a.address);
const addRefused = await refusals((s) => netlink.addAddress(s));
const afterAdd = await ours();
await netlink.deleteAddress({ ...spec(0), address: gone });
const deleteRefused = await refusals((s) => netlink.deleteAddress(s));
const afterDelete = await ours();
process.stdout.write(JSON.stringify({ taken, addRefused, afterAdd: afterAdd.length, deleteRefused, afterDelete, peakInFlight: netlink.peakInFlight }) + '\n');
netlink.close();
