// `garp_group { ... }`: gratuitous ARP / NA pacing for interfaces that share a switch, each at its
// own pace (`interface X`) or one pace across them all (`interfaces { X Y }`).
import type { GarpGroupConfig, GlobalDefs } from '../model.js';
import { declare } from './define.js';
import { names, oneName, seconds, lazyKeywords } from './kinds.js';
import type { BlockType } from './registry.js';

const { keyword, key } = declare<GarpGroupConfig, GlobalDefs>();

const interfaces = key('interfaces');

// Made at the first block read or written (lazyKeywords): a configuration without one never
// reads them, and making them cost every daemon's start before its first advertisement.
const garpGroupKeywords = lazyKeywords<GarpGroupConfig, GlobalDefs>(() => [
  // Else vrrp_garp_interval / vrrp_gna_interval.
  keyword('garp_interval', seconds(1), key('arpIntervalMs')),
  keyword('gna_interval', seconds(1), key('naIntervalMs')),
  // keepalived: one of interface or interfaces per block.
  keyword('interface', oneName('an interface name', ['eth1']), interfaces, { exclusive: true, write: (list) => list.length === 1 }),
  keyword('interfaces', names('interface', [['eth1', 'eth2']]), interfaces, { exclusive: true, write: (list) => list.length !== 1 }),
]);

export const GARP_GROUP: BlockType<GarpGroupConfig, GlobalDefs> = {
  keyword: 'garp_group',
  aliases: [],
  collection: 'garpGroups',
  optional: true,
  naming: 'counted',
  yaml: { kind: 'counted', key: 'garpGroups' },
  create: () => ({ interfaces: [] }),
  fields: [],
  get keywords() {
    return garpGroupKeywords();
  },
  finish: (group, { at, statement }) => {
    if (group.interfaces.length > 0) return true;
    at.ctx.error(statement.keyword, at.block, 'garp_group names no interface: give interface or interfaces');
    return false;
  },
};
