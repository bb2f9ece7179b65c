// bfd_instance blocks: what keepalived refuses (no neighbour, mixed families, a duplicate
// session, intervals and counts out of range) and what it warns about.
import {
  BFD_MAX_HOPS_RANGE,
  BFD_MAX_INTERVAL_MS,
  BFD_MAX_SENSIBLE_INTERVAL_MS,
  BFD_MIN_IDLE_TX_MS,
  BFD_MIN_INTERVAL_MS,
  BFD_MULTIPLIER_RANGE,
  BFD_TTL_RANGE,
  isIntegerIn,
  MAX_BFD_NAME_LENGTH,
  MAX_BFD_WEIGHT,
} from './limits.js';
import { familyOf } from './addresses.js';
import { bfdInstancePath } from './paths.js';
import type { ValidationContext } from './validation-context.js';

export function validateBfdInstances({ config, report }: ValidationContext): void {
  const names = new Set<string>();
  const sessions = new Map<string, string>();
  for (const bfd of config.bfdInstances ?? []) {
    const at = bfdInstancePath(bfd.name);
    if (names.has(bfd.name)) report.error(at, `bfd_instance ${bfd.name} is defined twice: names must be unique`);
    names.add(bfd.name);
    if (bfd.name.length > MAX_BFD_NAME_LENGTH) report.error(at, `bfd_instance name ${bfd.name} is too long: at most ${MAX_BFD_NAME_LENGTH} characters`);
    if (bfd.neighborIp === '') {
      report.error(`${at}.neighborIp`, `bfd_instance ${bfd.name} has no neighbor_ip: set the address of the BFD peer`);
      continue;
    }
    if (bfd.sourceIp !== undefined && familyOf(bfd.sourceIp) !== bfd.family) {
      report.error(`${at}.sourceIp`, `source_ip ${bfd.sourceIp} and neighbor_ip ${bfd.neighborIp} are not of the same family`);
    }
    // RFC 5880 §6.3 finds a session by its addresses until the discriminators are known.
    const key = `${bfd.neighborIp}|${bfd.sourceIp ?? ''}|${bfd.multihop}`;
    const other = sessions.get(key);
    if (other !== undefined) report.error(`${at}.neighborIp`, `bfd_instance ${bfd.name} has the same neighbor_ip${bfd.sourceIp ? ' and source_ip' : ''} as ${other}: one session per peer`);
    else sessions.set(key, bfd.name);

    for (const [field, keyword] of [['minRxMs', 'min_rx'], ['minTxMs', 'min_tx'], ['idleTxMs', 'idle_tx']] as const) {
      const value = bfd[field];
      const min = field === 'idleTxMs' ? BFD_MIN_IDLE_TX_MS : BFD_MIN_INTERVAL_MS;
      if (!(value >= min && value <= BFD_MAX_INTERVAL_MS)) {
        report.error(`${at}.${field}`, `${keyword} ${value} is out of range: must be ${min}..${BFD_MAX_INTERVAL_MS} ms${field === 'idleTxMs' ? ' (RFC 5880 §6.8.3: at least one second while the session is not Up)' : ''}`);
      } else if (Math.round(value * 1000) !== value * 1000) {
        report.error(`${at}.${field}`, `${keyword} ${value} is too fine: intervals have microsecond resolution (3 decimals)`);
      } else if (value > BFD_MAX_SENSIBLE_INTERVAL_MS) {
        report.warning(`${at}.${field}`, `${keyword} ${value} ms is larger than the most sensible ${BFD_MAX_SENSIBLE_INTERVAL_MS} ms`);
      }
    }
    if (!isIntegerIn(bfd.multiplier, BFD_MULTIPLIER_RANGE)) report.error(`${at}.multiplier`, `multiplier ${bfd.multiplier} is out of range: must be 1..255`);
    if (!isIntegerIn(bfd.ttl, BFD_TTL_RANGE)) report.error(`${at}.ttl`, `${bfd.family === 'ipv4' ? 'ttl' : 'hoplimit'} ${bfd.ttl} is out of range: must be 1..255`);
    if (!isIntegerIn(bfd.maxHops, BFD_MAX_HOPS_RANGE)) report.error(`${at}.maxHops`, `max_hops ${bfd.maxHops} is out of range: must be 0..255 (255: no TTL check)`);
    else if (bfd.maxHops > bfd.ttl && bfd.maxHops !== 255) {
      report.warning(`${at}.maxHops`, `max_hops ${bfd.maxHops} exceeds ${bfd.family === 'ipv4' ? 'ttl' : 'hoplimit'} ${bfd.ttl}: any TTL is accepted (keepalived sets it to the ttl)`);
    }
    if (!isIntegerIn(bfd.weight, { min: -MAX_BFD_WEIGHT, max: MAX_BFD_WEIGHT })) report.error(`${at}.weight`, `weight ${bfd.weight} is out of range: must be -${MAX_BFD_WEIGHT}..${MAX_BFD_WEIGHT}`);
    if (isIntegerIn(bfd.ttl, BFD_TTL_RANGE) && !bfd.multihop && bfd.ttl !== 255 && bfd.maxHops === 0) {
      report.warning(`${at}.ttl`, `a single-hop session sent with ${bfd.family === 'ipv4' ? 'TTL' : 'hop limit'} ${bfd.ttl} is refused by peers that follow RFC 5881 §5 (FRR's bfdd wants 255)`);
    }
  }
}
