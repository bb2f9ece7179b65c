// keepalived's virtual servers after the whole configuration is read (check_data.c,
// validate_check_config): defaults filled in from the enclosing block, ports and quorums corrected
// with a warning where keepalived corrects them, and what vrrpd cannot do on nftables refused with
// the reason, at the keyword's line. The daemon runs exactly what `resolveVirtualServers` returns.
import type { AddressFamily } from '../core/address.js';
import type { CheckerConfig } from './checkers.js';
import type { IssueSink } from './issues.js';
import type { TrackFileConfig, VrrpdConfig } from './model.js';
import { nearest } from './suggest.js';
import { validateChecker } from './validate-checkers.js';
import type {
  GroupEntryConfig,
  LvsMethod,
  LvsScriptConfig,
  MiscCheckConfig,
  RealServerCheckerConfig,
  RealServerConfig,
  VirtualServerConfig,
  VirtualServerGroupConfig,
  WatchedCheckerConfig,
} from './virtual-server.js';

/** keepalived's delay_loop default (KEEPALIVED_DEFAULT_DELAY). */
export const DEFAULT_DELAY_LOOP_MS = 60_000;
/** keepalived's connect_timeout default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
/** `persistence_timeout` without a value, or forced by a port-0 service (IPVS_SVC_PERSISTENT_TIMEOUT). */
export const DEFAULT_PERSISTENCE_MS = 360_000;
/** IPVS's schedulers keepalived accepts; vrrpd implements these. */
export const NFTABLES_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'mh', 'sed', 'nq', 'fo', 'ovf'] as const;
export type NftablesScheduler = (typeof NFTABLES_SCHEDULERS)[number];
/** keepalived accepts these too; IPVS keeps per-destination-address state nftables has no place for. */
const UNSUPPORTED_SCHEDULERS: Record<string, string> = {
  lblc: 'locality-based least-connection keeps a table of destination addresses to servers inside IPVS',
  lblcr: 'locality-based least-connection with replication keeps sets of servers per destination address inside IPVS',
  twos: 'weighted random twos chooses between two random servers by their live connections at each connection',
};

export const virtualServerPath = (index: number): string => `virtualServers[${index}]`;

/** FILE_CHECK with its track_file found and the weight that applies (its own, else the track_file's). */
export interface ResolvedFileCheck {
  readonly type: 'FILE_CHECK';
  readonly file: Pick<TrackFileConfig, 'name' | 'path' | 'initFile'>;
  readonly weight: number;
  readonly reverse: boolean;
}

/** BFD_CHECK with its bfd_instance found. */
export interface ResolvedBfdCheck {
  readonly type: 'BFD_CHECK';
  readonly name: string;
}

export interface ResolvedChecker {
  /** Names it within its real server: its type, numbered when a server has two of a type. */
  readonly id: string;
  /**
   * MISC_CHECK as written, or a built-in checker with everything filled in (connect_ip and
   * connect_port the real server's, the timings below): what src/checkers runs. FILE_CHECK and
   * BFD_CHECK are watched, not run: the timings below do not apply to them.
   */
  readonly config: MiscCheckConfig | CheckerConfig | ResolvedFileCheck | ResolvedBfdCheck;
  readonly delayLoopMs: number;
  readonly retry: number;
  readonly delayBeforeRetryMs: number;
  readonly warmupMs: number;
  readonly connectTimeoutMs: number;
  readonly alpha: boolean;
}

export interface ResolvedServer {
  /** keepalived's format: `[198.51.100.11]:tcp:80`. */
  readonly key: string;
  readonly family: AddressFamily;
  readonly address: string;
  readonly port: number;
  readonly method: 'NAT' | 'DR';
}

export interface ResolvedRealServer extends ResolvedServer {
  readonly weight: number;
  readonly inhibitOnFailure: boolean;
  readonly notifyUp?: LvsScriptConfig;
  readonly notifyDown?: LvsScriptConfig;
  readonly virtualhost?: string;
  readonly checkers: readonly ResolvedChecker[];
}

export type ResolvedMatch =
  | { readonly kind: 'address'; readonly family: AddressFamily; readonly protocol: 'tcp' | 'udp' | 'sctp'; readonly address: string; readonly port: number }
  | { readonly kind: 'fwmark'; readonly family: AddressFamily; readonly mark: number }
  | {
      readonly kind: 'group';
      readonly name: string;
      readonly family: AddressFamily;
      readonly protocol: 'tcp' | 'udp' | 'sctp';
      readonly ranges: ReadonlyArray<{ readonly family: AddressFamily; readonly first: string; readonly last: string; readonly port: number }>;
      readonly marks: readonly number[];
    };

export interface ResolvedVirtualServer {
  /** keepalived's format: `[192.0.2.100]:tcp:80`, `FWM 5`, `[group]:0`. */
  readonly key: string;
  /** Its model path, for messages. */
  readonly path: string;
  readonly match: ResolvedMatch;
  readonly method: 'NAT' | 'DR';
  readonly scheduler: NftablesScheduler;
  readonly hashPort: boolean;
  readonly hashFallback: boolean;
  readonly persistence?: { readonly timeoutMs: number; readonly granularity: string | number };
  readonly quorum: number;
  readonly hysteresis: number;
  readonly quorumUp?: LvsScriptConfig;
  readonly quorumDown?: LvsScriptConfig;
  readonly omega: boolean;
  readonly haSuspend: boolean;
  readonly realServers: readonly ResolvedRealServer[];
  readonly sorryServer?: ResolvedServer & { readonly inhibit: boolean };
  /** The addresses ha_suspend watches (the service's own). */
  readonly addresses: readonly string[];
}

const protocolName = (protocol: string | undefined): 'tcp' | 'udp' | 'sctp' => (protocol === 'TCP' ? 'tcp' : protocol === 'SCTP' ? 'sctp' : 'udp');

export function serverKey(address: string, protocol: string, port: number): string {
  return `[${address}]:${protocol}:${port}`;
}

/** delay_before_retry's default when no block sets it: the checker's own (HTTP_GET/SSL_GET 3 s, others and MISC_CHECK 1 s), the delay_loop for DNS_CHECK (check_*.c's default_delay_before_retry). */
function defaultDelayBeforeRetry(type: RealServerCheckerConfig['type'], delayLoopMs: number): number {
  if (type === 'HTTP_GET' || type === 'SSL_GET') return 3000;
  if (type === 'DNS_CHECK') return delayLoopMs;
  return 1000;
}

/** retry's default: 1, 3 for DNS_CHECK, none for MISC_CHECK (a script run is not retried). */
function defaultRetry(type: RealServerCheckerConfig['type']): number {
  return type === 'DNS_CHECK' ? 3 : type === 'MISC_CHECK' ? 0 : 1;
}

function groupFamily(group: VirtualServerGroupConfig): AddressFamily | undefined {
  for (const entry of group.entries) if (entry.kind === 'range') return entry.family;
  for (const entry of group.entries) if (entry.kind === 'fwmark' && entry.family) return entry.family;
  return undefined;
}

/**
 * Every virtual server as vrrpd will run it, reporting to `report` what keepalived would warn
 * about or refuse, and what nftables cannot do.
 */
export function resolveVirtualServers(config: VrrpdConfig, report: IssueSink): ResolvedVirtualServer[] {
  const groups = new Map<string, VirtualServerGroupConfig>();
  (config.virtualServerGroups ?? []).forEach((group, index) => {
    if (groups.has(group.name)) report.error(`virtualServerGroups[${index}]`, `virtual_server_group ${group.name} is defined twice: names must be unique`);
    else groups.set(group.name, group);
    if (group.entries.length === 0) report.warning(`virtualServerGroups[${index}]`, `virtual_server_group ${group.name} has no entries`);
  });
  const resolved: ResolvedVirtualServer[] = [];
  const keys = new Map<string, string>();
  (config.virtualServers ?? []).forEach((vs, index) => {
    const server = resolveOne(vs, index, groups, config, report);
    if (!server) return;
    const earlier = keys.get(server.key);
    if (earlier !== undefined) {
      report.error(`${server.path}.target`, `virtual server ${server.key} is defined twice (also ${earlier}): each service can be defined once`);
      return;
    }
    // Where the first one is written (file:line from the loader), else its model path (a configuration built in memory).
    keys.set(server.key, vs.source !== undefined ? `at ${vs.source}` : server.path);
    resolved.push(server);
  });
  return resolved;
}

function resolveOne(vs: VirtualServerConfig, index: number, groups: ReadonlyMap<string, VirtualServerGroupConfig>, config: VrrpdConfig, report: IssueSink): ResolvedVirtualServer | undefined {
  const at = virtualServerPath(index);
  const target = vs.target;
  let group: VirtualServerGroupConfig | undefined;
  if (target.kind === 'group') {
    group = groups.get(target.name);
    if (!group) {
      report.error(`${at}.target`, `virtual_server group ${target.name}: no virtual_server_group of that name`);
      return undefined;
    }
    if (group.entries.length === 0) return undefined;
  }
  const hasAddresses = target.kind === 'address' || (group?.entries.some((entry) => entry.kind === 'range') ?? false);
  const fwmarkOnly = target.kind === 'fwmark' || (group !== undefined && !hasAddresses);

  if (vs.realServers.length === 0) {
    report.warning(at, 'virtual server has no real servers: keepalived ignores it, and so does vrrpd');
    return undefined;
  }
  // The family: the address's, ip_family, the group's, else the real servers'.
  const family: AddressFamily =
    target.kind === 'address' ? target.family : (vs.family ?? (group ? groupFamily(group) : undefined) ?? vs.realServers[0]!.family);
  if (target.kind === 'address' && vs.family !== undefined && vs.family !== target.family) report.error(`${at}.family`, `ip_family ${vs.family === 'ipv6' ? 'inet6' : 'inet'} conflicts with the virtual server's address`);

  let protocol = vs.protocol;
  if (hasAddresses && protocol === undefined) {
    report.warning(`${at}.target`, 'no protocol set: keepalived defaults to UDP, and so does vrrpd (write protocol TCP for a TCP service)');
    protocol = 'UDP';
  }
  if (fwmarkOnly && vs.protocol !== undefined) report.warning(`${at}.protocol`, 'protocol is ignored for a fwmark service: the mark selects the packets');
  const proto = protocolName(protocol);

  // Scheduler and its flags.
  let scheduler: NftablesScheduler = 'wlc';
  if (vs.scheduler === undefined) report.warning(at, 'no lvs_sched set: keepalived defaults to wlc, and so does vrrpd');
  else if ((NFTABLES_SCHEDULERS as readonly string[]).includes(vs.scheduler)) scheduler = vs.scheduler as NftablesScheduler;
  else if (UNSUPPORTED_SCHEDULERS[vs.scheduler]) report.error(`${at}.scheduler`, `lvs_sched ${vs.scheduler} cannot be done on nftables: ${UNSUPPORTED_SCHEDULERS[vs.scheduler]}; use ${vs.scheduler === 'twos' ? 'wlc' : 'sh or mh'}`);
  else report.error(`${at}.scheduler`, `lvs_sched ${vs.scheduler} is not a scheduler: use one of ${NFTABLES_SCHEDULERS.join(', ')}`);
  const hashing = scheduler === 'sh' || scheduler === 'mh';
  let hashPort = false;
  let hashFallback = false;
  for (const flag of vs.flags) {
    if (flag === 'ops') {
      if (proto !== 'udp' && !fwmarkOnly) report.warning(`${at}.flags`, 'ops (one-packet scheduling) needs UDP: keepalived resets it, and so does vrrpd');
      else report.error(`${at}.flags`, 'ops (one-packet scheduling) cannot be done on nftables: NAT goes through conntrack, which keeps every datagram of a UDP flow on one server');
    } else if (flag === 'sh-port' || flag === 'mh-port' || flag === 'flag-2') {
      if (hashing) hashPort = true;
      else report.warning(`${at}.flags`, `${flag} only applies to the sh and mh schedulers: ignored`);
    } else if (flag === 'sh-fallback' || flag === 'mh-fallback' || flag === 'flag-1') {
      if (hashing) hashFallback = true;
      else report.warning(`${at}.flags`, `${flag} only applies to the sh and mh schedulers: ignored`);
    }
  }

  // Forwarding method.
  let method: LvsMethod | undefined = vs.method;
  if (method === undefined && vs.realServers.every((rs) => rs.method === undefined)) {
    report.warning(at, 'no lvs_method set: keepalived defaults to NAT, and so does vrrpd');
  }
  method ??= 'NAT';
  const tunRefusal = 'lvs_method TUN cannot be done on nftables: it has no statement that encapsulates a packet in IP-in-IP (IPVS does it in its own transmit path); use NAT, or DR with the real servers on the director\'s link';
  const methodOf = (own: LvsMethod | undefined, where: string): 'NAT' | 'DR' | undefined => {
    const chosen = own ?? method!;
    if (chosen === 'TUN') {
      // A real server inheriting the service's TUN: said once, at the service's lvs_method.
      if (own || where === `${at}.method`) report.error(own ? where : `${at}.method`, tunRefusal);
      return undefined;
    }
    return chosen;
  };
  const vsMethod = methodOf(vs.method, `${at}.method`) ?? 'NAT';
  if (vsMethod === 'DR' && (fwmarkOnly || (group?.entries.some((entry) => entry.kind === 'fwmark') ?? false))) {
    report.error(`${at}.method`, 'lvs_method DR with a fwmark cannot be done: vrrpd forwards DR at the ingress hook, before any rule can set the mark; use NAT');
  }

  // Persistence.
  let persistenceMs = vs.persistenceTimeoutMs;
  if (vs.persistenceGranularity !== undefined && persistenceMs === undefined) persistenceMs = DEFAULT_PERSISTENCE_MS;
  const portZero = (target.kind === 'address' && target.port === 0) || (group?.entries.some((entry) => entry.kind === 'range' && entry.port === 0) ?? false);
  if (portZero && persistenceMs === undefined && !fwmarkOnly) {
    report.warning(`${at}.target`, 'port 0 (every port) is only valid for a persistent service: keepalived sets persistence_timeout 360, and so does vrrpd');
    persistenceMs = DEFAULT_PERSISTENCE_MS;
  }
  if (vs.persistenceEngine !== undefined) report.error(`${at}.persistenceEngine`, `persistence_engine ${vs.persistenceEngine} cannot be done on nftables: IPVS's SIP engine reads Call-IDs inside IPVS`);
  const granularity = vs.persistenceGranularity ?? (family === 'ipv4' ? '255.255.255.255' : 128);
  if (typeof granularity === 'string' && family === 'ipv6') report.error(`${at}.persistenceGranularity`, 'persistence_granularity of an IPv6 service is a prefix length (1..128)');
  if (typeof granularity === 'number' && family === 'ipv4') report.error(`${at}.persistenceGranularity`, 'persistence_granularity of an IPv4 service is a netmask (255.255.255.0)');

  if (vs.haSuspend && fwmarkOnly) report.warning(`${at}.haSuspend`, 'ha_suspend cannot apply to a fwmark service (it has no address to watch): keepalived clears it, and so does vrrpd');
  const haSuspend = vs.haSuspend && !fwmarkOnly;

  // Real servers.
  const vsPort = target.kind === 'address' ? target.port : 0;
  const realServers: ResolvedRealServer[] = [];
  const seen = new Set<string>();
  vs.realServers.forEach((rs, position) => {
    const rsAt = `${at}.realServers[${position}]`;
    if (rs.family !== family) {
      report.error(rsAt, `real server ${rs.address} is ${rs.family === 'ipv6' ? 'IPv6' : 'IPv4'} and the virtual server ${family === 'ipv6' ? 'IPv6' : 'IPv4'}: NAT and DR keep the family`);
      return;
    }
    const rsMethod = methodOf(rs.method, `${rsAt}.method`);
    if (rsMethod === undefined) return;
    if (rsMethod !== vsMethod) {
      report.error(`${rsAt}.method`, `real server lvs_method ${rsMethod} differs from the virtual server's ${vsMethod}: vrrpd does one method per virtual server`);
      return;
    }
    const port = serverPort(rs.port, rsMethod, vsPort, fwmarkOnly, `${rsAt}.port`, `real server ${rs.address}`, report);
    const key = serverKey(rs.address, fwmarkOnly ? 'none' : proto, port);
    if (seen.has(key)) {
      report.warning(rsAt, `real server ${key} is listed twice: keepalived removes the second, and so does vrrpd`);
      return;
    }
    seen.add(key);
    realServers.push(resolveRealServer(vs, rs, { key, port, method: rsMethod }, rsAt, config, report));
  });
  if (realServers.length === 0) return undefined;

  // Ports: NAT to a port-0 service keeps the packet's port unless a real server names one; all alike.
  if (vsMethod === 'NAT') {
    const givesPort = realServers.filter((rs) => rs.port > 0).length;
    if (givesPort > 0 && givesPort < realServers.length) report.error(`${at}.realServers`, 'some real servers give a port and some do not: give every real server of this service a port, or none');
  }
  if (persistenceMs !== undefined && family === 'ipv6' && vsMethod === 'NAT' && new Set(realServers.map((rs) => rs.port)).size > 1) {
    report.error(`${at}.persistenceTimeoutMs`, 'IPv6 persistence needs the real servers on one port: nft 1.0.6 cannot remember an IPv6 address with a port from the packet path');
  }

  // Sorry server.
  let sorryServer: ResolvedVirtualServer['sorryServer'];
  if (vs.sorryServer) {
    const sorry = vs.sorryServer;
    if (sorry.family !== family) report.error(`${at}.sorryServer`, "sorry_server's address family differs from the virtual server's: keepalived skips it; fix the address");
    else {
      const sorryMethod = methodOf(sorry.method, `${at}.sorryServer.method`);
      if (sorryMethod !== undefined && sorryMethod !== vsMethod) report.error(`${at}.sorryServer.method`, `sorry_server_lvs_method ${sorryMethod} differs from the virtual server's ${vsMethod}: vrrpd does one method per virtual server`);
      else if (sorryMethod !== undefined) {
        const port = serverPort(sorry.port, sorryMethod, vsPort, fwmarkOnly, `${at}.sorryServer`, 'sorry_server', report);
        const key = serverKey(sorry.address, fwmarkOnly ? 'none' : proto, port);
        const same = realServers.find((rs) => rs.key === key);
        let inhibit = sorry.inhibit;
        if (same && same.inhibitOnFailure !== inhibit) {
          report.warning(`${at}.sorryServer`, `sorry_server is real server ${key} with a different inhibit_on_failure: keepalived takes the real server's, and so does vrrpd`);
          inhibit = same.inhibitOnFailure;
        }
        sorryServer = { key, family, address: sorry.address, port, method: sorryMethod, inhibit };
      }
    }
  }

  // Quorum and hysteresis, corrected as keepalived corrects them.
  const weightSum = realServers.reduce((sum, rs) => sum + rs.weight, 0);
  let quorum = vs.quorum ?? 1;
  if (quorum > weightSum) {
    report.warning(`${at}.quorum`, `quorum ${quorum} exceeds the real servers' total weight ${weightSum}: keepalived lowers it to ${weightSum}, and so does vrrpd`);
    quorum = weightSum;
  }
  let hysteresis = vs.hysteresis ?? 0;
  if (hysteresis >= quorum && hysteresis > 0) {
    const lowered = Math.max(0, quorum - 1);
    report.warning(`${at}.hysteresis`, `hysteresis ${hysteresis} is not below quorum ${quorum}: keepalived lowers it to ${lowered}, and so does vrrpd`);
    hysteresis = lowered;
  }

  const match: ResolvedMatch =
    target.kind === 'address'
      ? { kind: 'address', family, protocol: proto, address: target.address, port: target.port }
      : target.kind === 'fwmark'
        ? { kind: 'fwmark', family, mark: target.mark }
        : {
            kind: 'group',
            name: target.name,
            family,
            protocol: proto,
            ranges: group!.entries.flatMap((entry: GroupEntryConfig) => (entry.kind === 'range' ? [{ family: entry.family, first: entry.first, last: entry.last, port: entry.port }] : [])),
            marks: group!.entries.flatMap((entry: GroupEntryConfig) => (entry.kind === 'fwmark' ? [entry.mark] : [])),
          };
  if (match.kind === 'group' && match.ranges.some((range) => range.family !== family)) report.error(`${at}.target`, `virtual_server_group ${match.name} mixes IPv4 and IPv6 addresses: vrrpd needs one family per virtual server`);
  const key =
    target.kind === 'address' ? serverKey(target.address, proto, target.port) : target.kind === 'fwmark' ? `FWM ${target.mark}` : `[${target.name}]:${proto}`;
  const addresses = match.kind === 'address' ? [match.address] : match.kind === 'group' ? match.ranges.filter((range) => range.first === range.last).map((range) => range.first) : [];
  return {
    key,
    path: at,
    match,
    method: vsMethod,
    scheduler,
    hashPort,
    hashFallback,
    ...(persistenceMs !== undefined ? { persistence: { timeoutMs: persistenceMs, granularity } } : {}),
    quorum,
    hysteresis,
    ...(vs.quorumUp ? { quorumUp: vs.quorumUp } : {}),
    ...(vs.quorumDown ? { quorumDown: vs.quorumDown } : {}),
    omega: vs.omega,
    haSuspend,
    realServers,
    ...(sorryServer ? { sorryServer } : {}),
    addresses,
  };
}

/**
 * A server's port after keepalived's corrections: NAT without a port takes the service's; DR keeps
 * the packet's port, so a port other than the service's is reset (fwmark: cleared), with a warning.
 */
function serverPort(port: number, method: 'NAT' | 'DR', vsPort: number, fwmark: boolean, at: string, what: string, report: IssueSink): number {
  if (method === 'NAT') return port === 0 && !fwmark ? vsPort : port;
  if (fwmark) {
    if (port !== 0) report.warning(at, `${what} has a port, which a fwmark service with lvs_method DR ignores: keepalived clears it, and so does vrrpd`);
    return 0;
  }
  if (port !== 0 && port !== vsPort) report.warning(at, `${what} port ${port} differs from the virtual server's ${vsPort}, which DR cannot change: keepalived resets it, and so does vrrpd`);
  return vsPort;
}

function resolveRealServer(
  vs: VirtualServerConfig,
  rs: RealServerConfig,
  identity: { key: string; port: number; method: 'NAT' | 'DR' },
  at: string,
  whole: VrrpdConfig,
  report: IssueSink,
): ResolvedRealServer {
  const counts = new Map<string, number>();
  for (const checker of rs.checkers) counts.set(checker.type, (counts.get(checker.type) ?? 0) + 1);
  const numbered = new Map<string, number>();
  const virtualhost = rs.virtualhost ?? vs.virtualhost;
  const watchedBfd = new Set<string>();
  const checkers: ResolvedChecker[] = [];
  rs.checkers.forEach((checker, index) => {
    const n = numbered.get(checker.type) ?? 0;
    numbered.set(checker.type, n + 1);
    const id = (counts.get(checker.type) ?? 0) > 1 ? `${checker.type}#${n + 1}` : checker.type;
    if (checker.type === 'FILE_CHECK' || checker.type === 'BFD_CHECK') {
      const watched = resolveWatched(checker, `${at}.checkers[${index}]`, whole, watchedBfd, report);
      // Known from the start (the file is read, the session's state held): never alpha, except
      // a BFD_CHECK that asks for it (check_bfd.c's own keyword).
      const alpha = checker.type === 'BFD_CHECK' ? (checker.alpha ?? rs.alpha ?? vs.alpha) : false;
      if (watched) checkers.push({ id, config: watched, ...watchedTiming, alpha });
      return;
    }
    // keepalived (check_data.c): the checker's own, else its real server's, else its virtual
    // server's, else the checker type's default; warmup defaults to the delay_loop.
    const delayLoopMs = checker.delayLoopMs ?? rs.delayLoopMs ?? vs.delayLoopMs ?? DEFAULT_DELAY_LOOP_MS;
    const timing = {
      delayLoopMs,
      retry: checker.retry ?? rs.retry ?? vs.retry ?? defaultRetry(checker.type),
      delayBeforeRetryMs: checker.delayBeforeRetryMs ?? rs.delayBeforeRetryMs ?? vs.delayBeforeRetryMs ?? defaultDelayBeforeRetry(checker.type, delayLoopMs),
      warmupMs: checker.warmupMs ?? rs.warmupMs ?? vs.warmupMs ?? delayLoopMs,
      connectTimeoutMs: checker.connectTimeoutMs ?? rs.connectTimeoutMs ?? vs.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      alpha: checker.alpha ?? rs.alpha ?? vs.alpha,
    };
    let config: MiscCheckConfig | CheckerConfig;
    if (checker.type === 'MISC_CHECK') config = checker;
    else {
      // connect_ip and connect_port default to the real server's address and port (check_api.c's
      // queue_checker), each on its own: a connect_ip alone keeps the real server's port. A url's
      // Host is its own virtualhost, else the checker's, the real server's, the virtual server's.
      const builtin = {
        ...checker,
        ...timing,
        connectIp: checker.connectIp ?? rs.address,
        connectPort: checker.type === 'PING_CHECK' ? 0 : (checker.connectPort ?? identity.port),
        ...((checker.type === 'HTTP_GET' || checker.type === 'SSL_GET') && (checker.virtualhost ?? virtualhost) !== undefined ? { virtualhost: (checker.virtualhost ?? virtualhost)! } : {}),
      } as CheckerConfig;
      validateChecker(builtin, `${at}.checkers[${index}]`, report);
      config = builtin;
    }
    checkers.push({ id, config, ...timing });
  });
  return {
    key: identity.key,
    family: rs.family,
    address: rs.address,
    port: identity.port,
    method: identity.method,
    weight: rs.weight ?? vs.weight ?? 1,
    inhibitOnFailure: rs.inhibitOnFailure ?? vs.inhibitOnFailure,
    ...(rs.notifyUp ? { notifyUp: rs.notifyUp } : {}),
    ...(rs.notifyDown ? { notifyDown: rs.notifyDown } : {}),
    ...((rs.virtualhost ?? vs.virtualhost) !== undefined ? { virtualhost: (rs.virtualhost ?? vs.virtualhost)! } : {}),
    checkers,
  };
}

/** FILE_CHECK and BFD_CHECK have no run to time (check_file.c, check_bfd.c: none of the standard options). */
const watchedTiming = { delayLoopMs: 0, retry: 0, delayBeforeRetryMs: 0, warmupMs: 0, connectTimeoutMs: 0 } as const;

/**
 * FILE_CHECK's track_file or BFD_CHECK's bfd_instance, found by name. keepalived reports a name it
 * cannot find and runs the server without that checker; vrrpd refuses the configuration instead,
 * as for a track_file or track_bfd of a vrrp_instance: a server in rotation unchecked by a typo
 * is what the checker was written to prevent.
 */
function resolveWatched(checker: WatchedCheckerConfig, at: string, config: VrrpdConfig, bfdSeen: Set<string>, report: IssueSink): ResolvedFileCheck | ResolvedBfdCheck | undefined {
  if (checker.type === 'FILE_CHECK') {
    const name = checker.trackFile;
    if (name === undefined) return undefined;
    const file = config.trackFiles.find((candidate) => candidate.name === name);
    if (!file) {
      const suggestion = nearest(name, config.trackFiles.map((candidate) => candidate.name));
      report.error(`${at}.trackFile`, `FILE_CHECK track_file ${name} is not defined by any track_file block${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
      return undefined;
    }
    // check_file.c: without its own weight (`weight 0` is its own), the track_file's weight and reverse.
    const own = checker.weight !== undefined ? { weight: checker.weight, reverse: checker.reverse ?? false } : { weight: file.weight, reverse: file.reverse };
    return { type: 'FILE_CHECK', file: { name: file.name, path: file.path, ...(file.initFile ? { initFile: file.initFile } : {}) }, ...own };
  }
  const name = checker.name;
  if (name === undefined) return undefined;
  const instance = (config.bfdInstances ?? []).find((candidate) => candidate.name === name);
  if (!instance) {
    const suggestion = nearest(name, (config.bfdInstances ?? []).map((candidate) => candidate.name));
    report.error(`${at}.name`, `BFD_CHECK ${name} is not a bfd_instance${suggestion ? ` (did you mean ${suggestion}?)` : ''}`);
    return undefined;
  }
  // keepalived sends a bfd_instance's events only to the processes it names: `vrrp` alone leaves the checkers unaware.
  if (!instance.notifies.checker) {
    report.error(`${at}.name`, `bfd_instance ${name} is written \`vrrp\` without \`checker\`, so the checkers do not hear of it: add \`checker\` to it`);
    return undefined;
  }
  if (bfdSeen.has(name)) {
    report.warning(`${at}.name`, `BFD_CHECK ${name} is given twice for this real server: keepalived ignores the second, and so does vrrpd`);
    return undefined;
  }
  bfdSeen.add(name);
  return { type: 'BFD_CHECK', name };
}
