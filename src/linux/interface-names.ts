// The names of the interfaces in this process's network namespace, for `vrrpd check` without
// --host, which asks nothing else of the host. /proc/self/net/dev lists the namespace of the
// process that reads it (not /sys/class/net, which lists the one sysfs was mounted in: see
// interface-resolver.ts), and reading it costs a file read where rtnetlink costs loading the
// netlink package (~20 % of the command's CPU and 7 MB of its peak memory, issue 16).
import { readFile } from 'node:fs/promises';

const PROC_NET_DEV = '/proc/self/net/dev';

export async function interfaceNamesOfThisNamespace(): Promise<ReadonlySet<string>> {
  return parseProcNetDev(await readFile(PROC_NET_DEV, 'utf8'));
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
