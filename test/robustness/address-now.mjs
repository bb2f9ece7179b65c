// Inside a lab namespace: LinuxPlatform's address port adding a VIP in the caller's call (addNow,
// a Backup taking over) and what it leaves to add(): the address already there (ours or
// another's), an interface not looked up at start, an index gone stale, a request before it.
// Prints what each call returned and where the addresses are.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const { LinuxPlatform } = await import(join(root, 'dist', 'linux', 'platform.js'));
const { createLogger } = await import(join(root, 'dist', 'core', 'log.js'));
const ip = (...args) => execFileSync('ip', args, { encoding: 'utf8' });
const makeV0 = () => {
  ip('link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1');
  ip('link', 'set', 'v0', 'up');
};
const on = () => JSON.parse(ip('-j', 'addr', 'show', 'dev', 'v0'))[0].addr_info.map((a) => a.local).filter((a) => a.startsWith('192.0.2.'));
const vip = (n, device = 'v0') => ({ family: 'ipv4', address: `192.0.2.${n}`, prefixLength: 32, device });
const outcome = (promise) => promise.then(() => 'added', (error) => error.message);

makeV0();
const platform = new LinuxPlatform(createLogger({ level: 'silent' }));
const { addresses } = platform;
const result = {};
result.beforePrepare = addresses.addNow(vip(101));
await addresses.prepare(vip(101));
result.first = addresses.addNow(vip(101));
result.onAfterFirst = on();
result.again = addresses.addNow(vip(101));
result.againThroughAdd = await outcome(addresses.add(vip(101)));
ip('addr', 'add', '192.0.2.105/32', 'dev', 'v0');
result.another = addresses.addNow(vip(105));
result.anotherThroughAdd = await outcome(addresses.add(vip(105)));
const dump = platform.netlink.addresses('ipv4');
result.behindDump = addresses.addNow(vip(106));
await dump;
result.afterDump = addresses.addNow(vip(106));
ip('link', 'del', 'v0');
makeV0();
result.stale = addresses.addNow(vip(104));
result.staleThroughAdd = await outcome(addresses.add(vip(104)));
result.onAfterRecreate = on();
process.stdout.write(JSON.stringify(result) + '\n');
platform.close();
