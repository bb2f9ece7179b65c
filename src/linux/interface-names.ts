// The names of the interfaces in this process's network namespace, for `vrrpd check` without
// --host, which asks nothing else of the host. /proc/self/net/dev lists the namespace of the
// process that reads it (not /sys/class/net, which lists the one sysfs was mounted in: see
// interface-resolver.ts), and reading it costs a file read where rtnetlink costs loading the
// netlink package (~20 % of the command's CPU and 7 MB of its peak memory, issue 16). Read
// synchronously: a procfs file answers at once, and node:fs/promises would load with it Node's
// readline and stream modules (~8 ms of a ~150 ms `check`).
import { readFileSync } from 'node:fs';

const PROC_NET_DEV = '/proc/self/net/dev';

export async function interfaceNamesOfThisNamespace(): Promise<ReadonlySet<string>> {
  return parseProcNetDev(readFileSync(PROC_NET_DEV, 'utf8'));
}

/** The names in /proc/net/dev's text: two heading lines, then `  NAME: counters` per interface. */
export function parseProcNetDev(text: string): ReadonlySet<string> {
  const names = new Set<string>();
  for (const line of text.split('\n').slice(2)) {
    // A name never holds ':' or whitespace (the kernel's dev_valid_name).
    const colon = line.indexOf(':');
    if (colon > 0) names.add(line.slice(0, colon).trim());
  }
  return names;
}
