// The nftables tables that carry the virtual servers (nft.ts applies them). Two families, because
// nftables splits what IPVS does in one place:
// - `table inet vrrpd_lb` for NAT: a dispatch on (protocol, VIP, port) or the packet mark in the
//   nat prerouting and output hooks jumps to the service's chain, which picks a destination
//   (persistence first, then the scheduler's table) and DNATs; conntrack keeps every later packet
//   of the connection on it and un-NATs the replies. A filter chain just after (priority
//   dstnat + 1) sees every packet of those connections: it counts them per destination, refreshes
//   persistence, and drops those of a destination that left (IPVS's default, expire_nodest_conn 0).
// - `table netdev vrrpd_lb` for DR, at the ingress hook of the interfaces the VIPs are on: the
//   packet goes unchanged to the real server's MAC (`fwd`, which only the netdev family has), a
//   dynamic map remembering each flow's server since there is no conntrack that early.
// Both exist on every director whatever its VRRP state, as keepalived's IPVS rules do: they match
// traffic to the VIPs, which only the Master receives.
import type { AddressFamily } from '../core/address.js';
import { TABLE_NAME, type NftChain, type NftCounter, type NftSet, type NftTable } from './nft.js';
import type { Destination, Persistence, Protocol, ServerSpec, VirtualServerSpec } from './model.js';
import type { Selection } from './scheduler.js';

/** One virtual server as the rules hold it now. */
export interface ServiceRules {
  readonly spec: VirtualServerSpec;
  /** The pool's destinations (ServerPool.destinations). */
  readonly destinations: readonly Destination[];
  /** The scheduler's table over those destinations. */
  readonly selection: Selection;
  /** Every destination the configuration has (real servers and the sorry server): their counters live as long as the configuration. */
  readonly configured: readonly ServerSpec[];
}

export interface Tables {
  /** NAT services, when there are any. */
  readonly inet?: NftTable;
  /** DR services, when there are any. */
  readonly netdev?: NftTable;
}

/** Dynamic maps (persistence, DR flows) hold this many elements at most; nftables' default of 65535 is too few for a busy service. */
export const DYNAMIC_MAP_SIZE = 1_048_576;
/** IPVS's default timeouts for a connection's entry: TCP established 900 s, UDP 300 s (DR flows). */
const FLOW_TIMEOUT_S: Record<Protocol, number> = { tcp: 900, udp: 300, sctp: 900 };

const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'sctp'];

/** An identifier nft takes without quotes, from a key: `tcp 192.0.2.100:80` -> `tcp_192_0_2_100_80`. */
export function slug(text: string): string {
  return text
    .replace(/[.:\- /]+/g, '_')
    .replace(/[^A-Za-z0-9_]/g, '')
    .replace(/^_+|_+$/g, '');
}

interface Family {
  readonly nf: 'ip' | 'ip6';
  readonly type: 'ipv4_addr' | 'ipv6_addr';
  readonly zero: string;
  readonly suffix: '4' | '6';
}

const FAMILIES: Record<AddressFamily, Family> = {
  ipv4: { nf: 'ip', type: 'ipv4_addr', zero: '0.0.0.0', suffix: '4' },
  ipv6: { nf: 'ip6', type: 'ipv6_addr', zero: '::', suffix: '6' },
};

/** The client address as persistence sees it: masked by persistence_granularity. */
function clientKey(family: Family, persistence: Persistence): string {
  const { granularity } = persistence;
  if (family.nf === 'ip') return granularity === '255.255.255.255' ? 'ip saddr' : `ip saddr & ${granularity}`;
  const prefix = typeof granularity === 'number' ? granularity : 128;
  return prefix >= 128 ? 'ip6 saddr' : `ip6 saddr & ${ipv6Mask(prefix)}`;
}

function ipv6Mask(prefix: number): string {
  const groups: string[] = [];
  for (let bit = 0; bit < 128; bit += 16) {
    const ones = Math.max(0, Math.min(16, prefix - bit));
    groups.push(((0xffff << (16 - ones)) & 0xffff).toString(16));
  }
  // Trailing zero groups as `::`.
  let last = groups.length - 1;
  while (last >= 0 && groups[last] === '0') last--;
  return last === 7 ? groups.join(':') : `${groups.slice(0, last + 1).join(':')}::`;
}

/** `198.51.100.11 . 80`, or the address alone for a destination that keeps the packet's port. */
function natTarget(server: ServerSpec, withPort: boolean): string {
  return withPort ? `${server.address} . ${server.port}` : server.address;
}

/** Consecutive slots with the same value as ranges: `0-2 : a, 3 : b`. */
function runs<T>(values: ReadonlyArray<T | undefined>, text: (value: T) => string): string {
  const parts: string[] = [];
  let start = 0;
  for (let index = 1; index <= values.length; index++) {
    if (index < values.length && values[index] === values[start]) continue;
    const value = values[start];
    if (value !== undefined) parts.push(`${start === index - 1 ? start : `${start}-${index - 1}`} : ${text(value)}`);
    start = index;
  }
  return `{ ${parts.join(', ')} }`;
}

/** The expression that picks a slot: `numgen inc mod 3` or `jhash ip saddr mod 256 seed 0x0`. */
function selector(selection: Exclude<Selection, { kind: 'none' }>, family: Family): { expression: string; slots: ReadonlyArray<number | undefined> } {
  if (selection.kind === 'sequence') return { expression: `numgen inc mod ${selection.slots.length}`, slots: selection.slots };
  const field = selection.of === 'source' ? 'saddr' : 'daddr';
  const key = selection.port ? `${family.nf} ${field} . th sport` : `${family.nf} ${field}`;
  // A fixed seed: every director maps a client to the same bucket, before and after a failover.
  return { expression: `jhash ${key} mod ${selection.buckets.length} seed 0x0`, slots: selection.buckets };
}

function protocolMatch(spec: VirtualServerSpec): string {
  return spec.match.kind === 'fwmark' ? 'meta l4proto { tcp, udp, sctp }' : `meta l4proto ${spec.match.protocol}`;
}

/**
 * The name of each virtual server's nftables objects (its chains, sets and counters start with
 * it): `vs_` and its key as an identifier, numbered in the rare case two keys give the same one.
 */
export function objectNames(specs: readonly VirtualServerSpec[]): Map<string, string> {
  const names = new Map<string, string>();
  const used = new Set<string>();
  for (const spec of specs) {
    let base = `vs_${slug(spec.key)}`;
    for (let n = 2; used.has(base); n++) base = `vs_${slug(spec.key)}_${n}`;
    used.add(base);
    names.set(spec.key, base);
  }
  return names;
}

/** The name of a destination's objects (its counters; DR: its chain): the service's name, then `rs_` and its key, or `sorry`. */
export function destinationName(service: string, server: ServerSpec, spec: VirtualServerSpec): string {
  return spec.sorryServer?.key === server.key && !spec.realServers.some((real) => real.key === server.key) ? `${service}_sorry` : `${service}_rs_${slug(server.key)}`;
}

/** The dispatch elements of a service: (protocol . address . port) for addresses and groups, marks apart. */
function dispatch(spec: VirtualServerSpec): { addresses: string[]; marks: number[] } {
  const port = (value: number): string => (value === 0 ? '0-65535' : String(value));
  const match = spec.match;
  switch (match.kind) {
    case 'address':
      return { addresses: [`${match.protocol} . ${match.address} . ${port(match.port)}`], marks: [] };
    case 'fwmark':
      return { addresses: [], marks: [match.mark] };
    case 'group':
      return {
        addresses: match.ranges.map((range) => `${match.protocol} . ${range.first === range.last ? range.first : `${range.first}-${range.last}`} . ${port(range.port)}`),
        marks: [...match.marks],
      };
  }
}

/** The tracking dispatch keys of a service: (original VIP . original port), per protocol. */
function trackKeys(spec: VirtualServerSpec): string[] {
  return dispatch(spec).addresses.map((element) => element.split(' . ').slice(1).join(' . '));
}

export function buildTables(services: readonly ServiceRules[]): Tables {
  const names = objectNames(services.map((service) => service.spec));
  const nat = services.filter((service) => service.spec.dr === undefined);
  const dr = services.filter((service) => service.spec.dr !== undefined);
  return {
    ...(nat.length > 0 ? { inet: natTable(nat, names) } : {}),
    ...(dr.length > 0 ? { netdev: drTable(dr, names) } : {}),
  };
}

function natTable(services: readonly ServiceRules[], names: ReadonlyMap<string, string>): NftTable {
  const counters: NftCounter[] = [];
  const sets: NftSet[] = [];
  const chains: NftChain[] = [];
  const serviceMaps = new Map<string, Map<string, string>>();
  const trackMaps = new Map<string, Map<string, string>>();
  const addTo = (maps: Map<string, Map<string, string>>, map: string, key: string, value: string): void => {
    const elements = maps.get(map) ?? new Map<string, string>();
    elements.set(key, value);
    maps.set(map, elements);
  };
  for (const service of services) {
    const { spec } = service;
    const family = FAMILIES[spec.match.family];
    const name = names.get(spec.key)!;
    const withPort = service.configured.some((server) => server.port > 0);
    const { addresses, marks } = dispatch(spec);
    for (const element of addresses) addTo(serviceMaps, `services${family.suffix}`, element, `jump ${name}`);
    for (const mark of marks) addTo(serviceMaps, `marks${family.suffix}`, String(mark), `jump ${name}`);
    if (spec.match.kind !== 'fwmark') {
      for (const key of trackKeys(spec)) addTo(trackMaps, `track${family.suffix}_${spec.match.protocol}`, key, `jump ${name}_track`);
    }
    for (const mark of marks) addTo(trackMaps, `trackmarks${family.suffix}`, String(mark), `jump ${name}_track`);

    // The service's chain: a persistent client goes back to its destination, others to the scheduler's.
    const rules: string[] = [];
    const context = withPort ? `${protocolMatch(spec)} ` : '';
    // Persistence remembers the destination's address, and its port only when the destinations
    // differ in port (nft 1.0.6 cannot store an IPv6 address with a port from the packet path; the
    // configuration check refuses that case).
    const ports = new Set(service.configured.map((server) => server.port));
    const sharedPort = withPort && ports.size === 1 ? [...ports][0]! : undefined;
    const remembered = withPort && sharedPort === undefined;
    if (spec.persistence) {
      if (remembered && family.nf === 'ip6') throw new RangeError(`${spec.key}: IPv6 persistence needs its real servers on one port`);
      sets.push({
        name: `${name}_persist`,
        kind: 'map',
        definition: `type ${family.type} : ${remembered ? `${family.type} . inet_service` : family.type}; size ${DYNAMIC_MAP_SIZE}; flags dynamic,timeout; timeout ${Math.ceil(spec.persistence.timeoutMs / 1000)}s;`,
        elements: { dynamic: true, values: new Set(service.destinations.map((destination) => natTarget(destination.server, remembered))) },
      });
      rules.push(`${context}dnat ${family.nf} to ${clientKey(family, spec.persistence)} map @${name}_persist${sharedPort !== undefined ? ` : ${sharedPort}` : ''}`);
    }
    if (service.selection.kind !== 'none') {
      const { expression, slots } = selector(service.selection, family);
      rules.push(`${context}dnat ${family.nf} to ${expression} map ${runs(slots, (index) => natTarget(service.destinations[index]!.server, withPort))}`);
    }
    chains.push({ name, rules });

    // Its tracking chain: every packet of its connections after DNAT.
    const key = (direction: 'daddr' | 'saddr'): string => (withPort ? `${family.nf} ${direction} . th ${direction === 'daddr' ? 'dport' : 'sport'}` : `${family.nf} ${direction}`);
    const keyType = withPort ? `${family.type} . inet_service` : family.type;
    const counterMap = (suffix: 'conns' | 'in' | 'out'): NftSet => ({
      name: `${name}_${suffix}`,
      kind: 'map',
      definition: `type ${keyType} : counter;`,
      elements: new Map(service.configured.map((server) => [natTarget(server, withPort), `"${destinationName(name, server, spec)}_${suffix}"`])),
    });
    sets.push(
      { name: `${name}_members`, kind: 'set', definition: `type ${family.type};`, elements: new Map(service.destinations.map((destination) => [destination.server.address, ''])) },
      counterMap('conns'),
      counterMap('in'),
      counterMap('out'),
    );
    for (const server of service.configured) {
      for (const suffix of ['conns', 'in', 'out'] as const) {
        counters.push({ name: `${destinationName(name, server, spec)}_${suffix}`, comment: `${spec.key} -> ${server.key} ${suffix}` });
      }
    }
    const track = [
      // A destination that left: its connections' packets are dropped, as IPVS does by default.
      `ct direction original ${family.nf} daddr != @${name}_members drop`,
      ...(spec.persistence ? [`ct direction original update @${name}_persist { ${clientKey(family, spec.persistence)} : ${remembered ? key('daddr') : `${family.nf} daddr`} }`] : []),
      `ct state new counter name ${key('daddr')} map @${name}_conns`,
      `ct direction original counter name ${key('daddr')} map @${name}_in`,
      `ct direction reply counter name ${key('saddr')} map @${name}_out`,
    ];
    chains.push({ name: `${name}_track`, rules: track });
  }

  // Dispatch maps and the base chains that consult them, only for what is used.
  const dispatchRules: string[] = [];
  const trackRules: string[] = [];
  for (const family of Object.values(FAMILIES)) {
    const marks = serviceMaps.get(`marks${family.suffix}`);
    const addresses = serviceMaps.get(`services${family.suffix}`);
    // IPVS looks fwmark services up first.
    if (marks) {
      sets.push({ name: `marks${family.suffix}`, kind: 'map', definition: 'type mark : verdict;', elements: marks });
      dispatchRules.push(`meta nfproto ${family.nf === 'ip' ? 'ipv4' : 'ipv6'} meta mark vmap @marks${family.suffix}`);
    }
    if (addresses) {
      sets.push({ name: `services${family.suffix}`, kind: 'map', definition: `type inet_proto . ${family.type} . inet_service : verdict; flags interval;`, elements: addresses });
      dispatchRules.push(`meta l4proto . ${family.nf} daddr . th dport vmap @services${family.suffix}`);
    }
    const trackMarks = trackMaps.get(`trackmarks${family.suffix}`);
    if (trackMarks) {
      sets.push({ name: `trackmarks${family.suffix}`, kind: 'map', definition: 'type mark : verdict;', elements: trackMarks });
      trackRules.push(`ct status dnat meta nfproto ${family.nf === 'ip' ? 'ipv4' : 'ipv6'} meta mark vmap @trackmarks${family.suffix}`);
    }
    for (const protocol of PROTOCOLS) {
      const elements = trackMaps.get(`track${family.suffix}_${protocol}`);
      if (!elements) continue;
      sets.push({ name: `track${family.suffix}_${protocol}`, kind: 'map', definition: `type ${family.type} . inet_service : verdict; flags interval;`, elements });
      trackRules.push(`ct status dnat meta l4proto ${protocol} ct original ${family.nf} daddr . ct original proto-dst vmap @track${family.suffix}_${protocol}`);
    }
  }
  chains.unshift(
    { name: 'dnat_prerouting', hook: 'type nat hook prerouting priority dstnat; policy accept;', rules: dispatchRules },
    // Clients on the director itself, as IPVS serves them from LOCAL_OUT.
    { name: 'dnat_output', hook: 'type nat hook output priority -100; policy accept;', rules: dispatchRules },
    { name: 'track_prerouting', hook: 'type filter hook prerouting priority -99; policy accept;', rules: trackRules },
    { name: 'track_output', hook: 'type filter hook output priority -99; policy accept;', rules: trackRules },
  );
  return {
    family: 'inet',
    name: TABLE_NAME,
    comment: 'vrrpd: keepalived virtual_server with lvs_method NAT; managed by vrrpd, replaced at its start',
    counters,
    sets,
    chains,
  };
}

function drTable(services: readonly ServiceRules[], names: ReadonlyMap<string, string>): NftTable {
  const counters: NftCounter[] = [];
  const sets: NftSet[] = [];
  const chains: NftChain[] = [];
  const serviceMaps = new Map<string, Map<string, string>>();
  const inbound = new Set<string>();
  for (const service of services) {
    const { spec } = service;
    const dr = spec.dr!;
    for (const device of dr.inbound) inbound.add(device);
    const family = FAMILIES[spec.match.family];
    const name = names.get(spec.key)!;
    for (const element of dispatch(spec).addresses) {
      const elements = serviceMaps.get(family.suffix) ?? new Map<string, string>();
      elements.set(element, `jump ${name}`);
      serviceMaps.set(family.suffix, elements);
    }
    const protocol = spec.match.kind === 'fwmark' ? 'tcp' : spec.match.protocol;
    // A flow is the client's connection, or with persistence the client (masked) itself.
    const flow = spec.persistence ? clientKey(family, spec.persistence) : `${family.nf} saddr . th sport . ${family.nf} daddr . th dport`;
    const flowType = spec.persistence ? family.type : `${family.type} . inet_service . ${family.type} . inet_service`;
    const timeout = spec.persistence ? Math.ceil(spec.persistence.timeoutMs / 1000) : FLOW_TIMEOUT_S[protocol];
    sets.push({
      name: `${name}_flows`,
      kind: 'map',
      definition: `type ${flowType} : ${family.type}; size ${DYNAMIC_MAP_SIZE}; flags dynamic,timeout; timeout ${timeout}s;`,
      elements: { dynamic: true, values: new Set(service.destinations.map((destination) => destination.server.address)) },
    });
    const device = `device "${dr.outbound}"`;
    counters.push({ name: `${name}_in`, comment: `${spec.key} in` });
    const rules = [
      `counter name "${name}_in"`,
      // A known flow: its entry's timeout starts again (update keeps the server it holds), and on it goes.
      `${flow} @${name}_flows update @${name}_flows { ${flow} : ${family.zero} }`,
      `fwd ${family.nf} to ${flow} map @${name}_flows ${device}`,
    ];
    const destinationChains: NftChain[] = [];
    if (service.selection.kind !== 'none') {
      const { expression, slots } = selector(service.selection, family);
      rules.push(`${expression} vmap ${runs(slots, (index) => `jump ${destinationName(name, service.destinations[index]!.server, spec)}`)}`);
      for (const destination of service.destinations) {
        if (destination.weight === 0) continue;
        const chain = destinationName(name, destination.server, spec);
        const address = destination.server.address;
        destinationChains.push({ name: chain, rules: [`counter name "${chain}_conns" add @${name}_flows { ${flow} : ${address} } fwd ${family.nf} to ${address} ${device}`] });
      }
    }
    for (const server of service.configured) counters.push({ name: `${destinationName(name, server, spec)}_conns`, comment: `${spec.key} -> ${server.key} conns` });
    chains.push(...destinationChains, { name, rules });
  }
  const rules: string[] = [];
  for (const family of Object.values(FAMILIES)) {
    const elements = serviceMaps.get(family.suffix);
    if (!elements) continue;
    sets.push({ name: `services${family.suffix}`, kind: 'map', definition: `type inet_proto . ${family.type} . inet_service : verdict; flags interval;`, elements });
    rules.push(`meta l4proto . ${family.nf} daddr . th dport vmap @services${family.suffix}`);
  }
  const devices = [...inbound].sort().map((device) => `"${device}"`).join(', ');
  chains.unshift({ name: 'ingress', hook: `type filter hook ingress devices = { ${devices} } priority 0; policy accept;`, rules });
  return {
    family: 'netdev',
    name: TABLE_NAME,
    comment: 'vrrpd: keepalived virtual_server with lvs_method DR; managed by vrrpd, replaced at its start',
    counters,
    sets,
    chains,
  };
}
