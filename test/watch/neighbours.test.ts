import { expect, test } from 'vitest';
import { formatTable, NeighbourTable, toRecord, type HeardAdvertisement } from '../../src/watch/neighbours.js';

const v3 = (priority: number, source: string, timeMs: number): HeardAdvertisement => ({
  timeMs,
  family: 'ipv4',
  source,
  destination: '224.0.0.18',
  ttl: 255,
  checksum: 'pseudo-header',
  advertisement: { version: 3, vrid: 51, priority, maxAdvertIntervalCs: 100, addresses: ['192.0.2.100'] },
});

test('one JSON record per advertisement with the documented fields', () => {
  const v2: HeardAdvertisement = {
    timeMs: 0,
    family: 'ipv4',
    source: '192.0.2.7',
    destination: '224.0.0.18',
    ttl: 255,
    checksum: 'message-only',
    advertisement: { version: 2, vrid: 9, priority: 100, advertIntervalSeconds: 2, authType: 1, authData: new Uint8Array(8), addresses: ['198.51.100.1'] },
  };
  expect(toRecord(v2, new Date('2026-11-23T04:00:00.000Z'))).toEqual({
    time: '2026-11-23T04:00:00.000Z',
    vrid: 9,
    version: 2,
    family: 'ipv4',
    priority: 100,
    source: '192.0.2.7',
    destination: '224.0.0.18',
    ttl: 255,
    addresses: ['198.51.100.1'],
    intervalMs: 2000,
    authType: 'simple',
    checksum: 'message-only',
  });
});

test('the table keeps one row per router, Master of each VRID first, and counts packets', () => {
  const table = new NeighbourTable();
  table.record(v3(100, '192.0.2.2', 0));
  table.record(v3(150, '192.0.2.1', 100));
  table.record(v3(150, '192.0.2.1', 1100));
  const rows = table.list();
  expect(rows.map((row) => [row.source, row.priority, row.packets])).toEqual([
    ['192.0.2.1', 150, 2],
    ['192.0.2.2', 100, 1],
  ]);
  expect(formatTable(rows, 2100)).toBe(
    [
      'VRID  VER  SOURCE     PRIO  INTERVAL  AUTH  CHECKSUM       PACKETS  LAST SEEN  ADDRESSES',
      '51    v3   192.0.2.1  150   1000 ms   none  pseudo-header  2        1.0 s ago  192.0.2.100',
      '51    v3   192.0.2.2  100   1000 ms   none  pseudo-header  1        2.1 s ago  192.0.2.100',
      '',
    ].join('\n'),
  );
});

test('malformed packets are counted by reason', () => {
  const table = new NeighbourTable();
  table.recordMalformed({ reason: 'checksum', detail: 'x' });
  table.recordMalformed({ reason: 'checksum', detail: 'y' });
  expect(Object.fromEntries(table.malformed)).toEqual({ checksum: 2 });
});
