// Inside a lab namespace: LinuxPlatform's address port adding a VIP in the caller's call (addNow,
// a Backup taking over) and what it leaves to add(): the address already there (ours or
// another's), an interface not looked up at start, an index gone stale, a request before it.
// Prints what each call returned and where the addresses are.
import { createLogger, ip, LinuxPlatform, makeV0, on } from './v0-host.mjs';

const vip = (n) => ({ family: 'ipv4', address: `192.0.2.${n}`, prefixLength: 32, device: 'v0' });
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
