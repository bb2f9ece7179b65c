// `vrrpd watch`: who else speaks VRRP on this link? Every advertisement heard becomes one JSON
// record, and the table keeps one row per (family, version, VRID, source) router.
import type { AddressFamily } from '../core/address.js';
import { advertisementIntervalMs, AuthType, type Advertisement, type ChecksumFlavour } from '../vrrp/packet/advertisement.js';
import type { Rejection } from '../vrrp/packet/rejection.js';

export interface HeardAdvertisement {
  readonly timeMs: number;
  readonly family: AddressFamily;
  readonly source: string;
  readonly destination: string;
  readonly ttl: number | undefined;
  readonly advertisement: Advertisement;
  readonly checksum: ChecksumFlavour;
}

/** The stable `--json` record: one per advertisement heard. */
export interface AdvertisementRecord {
  readonly time: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly family: AddressFamily;
  readonly priority: number;
  readonly source: string;
  readonly destination: string;
  readonly ttl: number | null;
  readonly addresses: readonly string[];
  readonly intervalMs: number;
  readonly authType: 'none' | 'simple' | 'ah' | `unknown-${number}`;
  readonly checksum: ChecksumFlavour;
}

export interface NeighbourRow {
  readonly family: AddressFamily;
  readonly version: 2 | 3;
  readonly vrid: number;
  readonly source: string;
  priority: number;
  intervalMs: number;
  addresses: readonly string[];
  authType: AdvertisementRecord['authType'];
  checksum: ChecksumFlavour;
  packets: number;
  firstSeenMs: number;
  lastSeenMs: number;
}

export function authTypeName(advertisement: Advertisement): AdvertisementRecord['authType'] {
  if (advertisement.version === 3) return 'none';
  switch (advertisement.authType) {
    case AuthType.none:
      return 'none';
    case AuthType.simplePassword:
      return 'simple';
    case AuthType.ipAh:
      return 'ah';
    default:
      return `unknown-${advertisement.authType}`;
  }
}

export function toRecord(heard: HeardAdvertisement, wallClock: Date): AdvertisementRecord {
  const { advertisement } = heard;
  return {
    time: wallClock.toISOString(),
    vrid: advertisement.vrid,
    version: advertisement.version,
    family: heard.family,
    priority: advertisement.priority,
    source: heard.source,
    destination: heard.destination,
    ttl: heard.ttl ?? null,
    addresses: advertisement.addresses,
    intervalMs: advertisementIntervalMs(advertisement),
    authType: authTypeName(advertisement),
    checksum: heard.checksum,
  };
}

export class NeighbourTable {
  private readonly rows = new Map<string, NeighbourRow>();
  /** Packets that were not well-formed VRRP, by reason. */
  readonly malformed = new Map<string, number>();

  record(heard: HeardAdvertisement): void {
    const { advertisement } = heard;
    const key = `${heard.family}|${advertisement.version}|${advertisement.vrid}|${heard.source}`;
    const row = this.rows.get(key);
    const update = {
      priority: advertisement.priority,
      intervalMs: advertisementIntervalMs(advertisement),
      addresses: advertisement.addresses,
      authType: authTypeName(advertisement),
      checksum: heard.checksum,
      lastSeenMs: heard.timeMs,
    };
    if (row) {
      Object.assign(row, update);
      row.packets++;
    } else {
      this.rows.set(key, {
        family: heard.family,
        version: advertisement.version,
        vrid: advertisement.vrid,
        source: heard.source,
        packets: 1,
        firstSeenMs: heard.timeMs,
        ...update,
      });
    }
  }

  recordMalformed(rejection: Rejection): void {
    this.malformed.set(rejection.reason, (this.malformed.get(rejection.reason) ?? 0) + 1);
  }

  /** Rows sorted by family, VRID, then priority (highest first): the Master of each VRID on top. */
  list(): NeighbourRow[] {
    return [...this.rows.values()].sort(
      (a, b) => a.family.localeCompare(b.family) || a.vrid - b.vrid || b.priority - a.priority || a.source.localeCompare(b.source),
    );
  }
}

/** The human table, sized to its content. */
export function formatTable(rows: readonly NeighbourRow[], nowMs: number): string {
  const header = ['VRID', 'VER', 'SOURCE', 'PRIO', 'INTERVAL', 'AUTH', 'CHECKSUM', 'PACKETS', 'LAST SEEN', 'ADDRESSES'];
  const lines = rows.map((row) => [
    String(row.vrid),
    `v${row.version}`,
    row.source,
    String(row.priority),
    `${row.intervalMs} ms`,
    row.authType,
    row.checksum,
    String(row.packets),
    `${((nowMs - row.lastSeenMs) / 1000).toFixed(1)} s ago`,
    row.addresses.join(' '),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...lines.map(render)].join('\n') + '\n';
}
