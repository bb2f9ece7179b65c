// Inside a lab namespace: LinuxPlatform follows address notifications while the event loop is held
// (an `ip -batch` of 8000 IPv6 addresses run synchronously; each is notified twice, tentative and
// then done with duplicate address detection), so the watch socket's 4 MiB receive queue overflows
// and the kernel drops notifications (ENOBUFS). The netlink package's socket aborted the process
// here. Prints the log lines the platform wrote (JSON lines on stdout) and, last, how many of the
// 8000 it reported usable, through notifications or the re-read.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const COUNT = 8000;
const root = join(import.meta.dirname, '..', '..');
const { LinuxPlatform } = await import(join(root, 'dist', 'linux', 'platform.js'));
const { createLogger } = await import(join(root, 'dist', 'core', 'log.js'));
const log = createLogger({ level: 'warn', readable: false });
const ip = (args, input) => execFileSync('ip', args, { encoding: 'utf8', input });
ip(['link', 'set', 'lo', 'up']);
const platform = new LinuxPlatform(log);
const added = new Set();
const stop = platform.watch((event) => {
  if (event.type === 'address-added' && event.address.startsWith('2001:db8::')) added.add(event.address);
});
// The watch learns interface names from a link dump first; give it its turn.
await new Promise((resolve) => setTimeout(resolve, 200));
const batch = Array.from({ length: COUNT }, (_, n) => `address add 2001:db8::${(n + 1).toString(16)}/128 dev lo\n`).join('');
ip(['-batch', '-'], batch);
const deadline = Date.now() + 10_000;
while (added.size < COUNT && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
process.stdout.write(JSON.stringify({ added: added.size }) + '\n');
stop();
platform.close();
