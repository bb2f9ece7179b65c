// keepalived's state dumps, which tools written for keepalived read: the data dump (SIGUSR1), the
// statistics (SIGUSR2) and the JSON dump (SIGRTMIN+2). Subsystems that keepalived dumps for render
// them (VRRP: vrrp/dumps.ts); the operator services write them where keepalived would.

export const DUMP_FORMATS = ['data', 'stats', 'json'] as const;
export type DumpFormat = (typeof DUMP_FORMATS)[number];

/** keepalived's default paths (its --data, --stats and --json options are not in 2.2). */
export const DEFAULT_DUMP_PATHS: Readonly<Record<DumpFormat, string>> = {
  data: '/tmp/keepalived.data',
  stats: '/tmp/keepalived.stats',
  json: '/tmp/keepalived.json',
};
