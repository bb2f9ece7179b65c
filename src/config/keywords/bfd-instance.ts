// `bfd_instance NAME { ... }`: a BFD session (RFC 5880) to a neighbour, which vrrp_instances and
// sync groups follow with `track_bfd`. keepalived 2.2's keywords and defaults (bfd.h), and
// `multihop` from 2.2.8.
import { familyOf } from '../addresses.js';
import { BFD_MAX_INTERVAL_MS, BFD_MIN_IDLE_TX_MS, BFD_MIN_INTERVAL_MS } from '../limits.js';
import type { BfdInstanceConfig, GlobalDefs } from '../model.js';
import { declare, Derived } from './define.js';
import { equalValues } from '../../core/equal.js';
import { address, FLAG, flag, integer, mapped, milliseconds, present, weight, lazyKeywords } from './kinds.js';
import type { BlockType, Kind } from './registry.js';

const { keyword, key, keys, field } = declare<BfdInstanceConfig, GlobalDefs>();
// keepalived: neither `vrrp` nor `checker` written means both hear of it (a default derived once
// the block is read, so the first of them starts from neither).
const notifiesField = key('notifies', { default: new Derived<BfdInstanceConfig, GlobalDefs, BfdInstanceConfig['notifies']>(() => ({ vrrp: true, checker: true })) });

/** keepalived's max_hops -1 is 255 (its uint8_t): no TTL check. */
const NO_TTL_CHECK = 255;

type Notifies = BfdInstanceConfig['notifies'];

/**
 * `vrrp` / `checker`: which of keepalived's processes hear of the session. Each adds its own to
 * what was written before it; finish() makes "neither" both, so only a narrowing is written back.
 */
function notifies(which: keyof Notifies): Kind<Notifies> {
  const alone: Notifies = { vrrp: which === 'vrrp', checker: which === 'checker' };
  return {
    read: (_statement, _at, current) => ({ ...(current ?? { vrrp: false, checker: false }), [which]: true }),
    write: (value) => (value[which] && !equalValues(value, { vrrp: true, checker: true }) ? { args: [] } : undefined),
    yaml: FLAG,
    examples: () => [alone],
  };
}

// Made at the first block read or written (lazyKeywords): a configuration without one never
// reads them, and making them cost every daemon's start before its first advertisement.
const bfdInstanceKeywords = lazyKeywords<BfdInstanceConfig, GlobalDefs>(() => [
  keyword(
    'neighbor_ip',
    address(['192.0.2.254', '2001:db8::fe']),
    field(
      'neighborIp',
      (bfd) => bfd.neighborIp,
      (bfd, value: string) => {
        bfd.neighborIp = value;
        bfd.family = familyOf(value) ?? 'ipv4';
      },
    ),
    { aliases: ['neighbour_ip'], write: 'always' },
  ),
  keyword('source_ip', address(['192.0.2.1']), key('sourceIp')),
  keyword('min_rx', milliseconds(BFD_MIN_INTERVAL_MS, BFD_MAX_INTERVAL_MS, [50, 3.312]), key('minRxMs', { default: 10 })),
  keyword('min_tx', milliseconds(BFD_MIN_INTERVAL_MS, BFD_MAX_INTERVAL_MS, [50, 100]), key('minTxMs', { default: 10 })),
  keyword('idle_tx', milliseconds(BFD_MIN_IDLE_TX_MS, BFD_MAX_INTERVAL_MS, [2000]), key('idleTxMs', { default: 1000 })),
  keyword('multiplier', integer(1, 255, { examples: [3, 1, 255] }), key('multiplier', { default: 5 })),
  keyword('passive', present(true), key('passive', { default: false })),
  // RFC 5881 §5's 255 for both families (keepalived 2.2 sends hop limit 64 over IPv6).
  keyword('ttl', integer(1, 255, { examples: [64, 1] }), key('ttl', { default: 255 }), { aliases: ['hoplimit'] }),
  keyword('max_hops', mapped(integer(-1, 255, { examples: [2, -1] }), (hops) => (hops < 0 ? NO_TTL_CHECK : hops), (hops) => hops), key('maxHops', { default: 0 })),
  keyword('multihop', flag(), key('multihop', { default: false })),
  keyword('weight', weight(253), keys(['weight', 'reverse'], { default: { weight: 0, reverse: false } })),
  keyword('vrrp', notifies('vrrp'), notifiesField),
  keyword('checker', notifies('checker'), notifiesField),
]);

export const BFD_INSTANCE: BlockType<BfdInstanceConfig, GlobalDefs> = {
  keyword: 'bfd_instance',
  aliases: [],
  collection: 'bfdInstances',
  optional: true,
  naming: 'named',
  yaml: { kind: 'named', key: 'bfdInstances', what: (name) => `bfd_instance ${name}` },
  create: (name) => ({ name, neighborIp: '', family: 'ipv4' }) as BfdInstanceConfig,
  fields: [],
  get keywords() {
    return bfdInstanceKeywords();
  },
  // Validation reports a missing neighbor_ip at the block (keepalived disables the instance).
  finish: () => true,
};
