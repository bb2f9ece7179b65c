// Routing table names as `ip route ... table NAME` and keepalived read them: /etc/iproute2/rt_tables
// and rt_tables.d/*.conf (`NUMBER NAME` lines, `#` comments), read once when first needed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RT_TABLES_PATHS = ['/etc/iproute2/rt_tables', '/usr/share/iproute2/rt_tables'];

/** NAME -> number from the given files and their `.d/*.conf` directories; missing files are skipped. */
export function readTableNames(paths: readonly string[] = RT_TABLES_PATHS): Map<string, number> {
  const names = new Map<string, number>();
  for (const path of paths) {
    const files = [path];
    try {
      files.push(...readdirSync(`${path}.d`).filter((name) => name.endsWith('.conf')).sort().map((name) => join(`${path}.d`, name)));
    } catch {
      // No rt_tables.d: only the main file.
    }
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n')) {
        const match = /^\s*(0x[0-9a-f]+|\d+)\s+(\S+)/i.exec(line.replace(/#.*/, ''));
        if (!match) continue;
        // The first definition wins (/etc overrides /usr/share, as iproute2 reads them).
        if (!names.has(match[2]!)) names.set(match[2]!, Number(match[1]));
      }
    }
  }
  return names;
}

let cached: Map<string, number> | undefined;

/** The number of a table name on this host, if it has one. */
export function tableNumber(name: string): number | undefined {
  cached ??= readTableNames();
  return cached.get(name);
}
