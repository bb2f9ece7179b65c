// keepalived's load-balancing blocks (man keepalived.conf, "Virtual server(s)"): `virtual_server
// IP PORT | fwmark N | group NAME { ... }` with its `real_server IP [PORT] { ... }` blocks and
// their checkers, and `virtual_server_group NAME { IP[-END] PORT | fwmark N ... }`. What keepalived
// fills in once the whole file is read (a real server's port from its service's, timings from the
// enclosing block) is validate-virtual-servers.ts's, so the model is what was written.
//
// In YAML, `virtualServers` is a list whose entries say the header with keys of their own
// (`address` and `port`, `fwmark` or `group`), each real server likewise, and the checker blocks take
// the keys vrrp_script's have (`tcpCheck`, `httpGet`, ...); `virtualServerGroups` maps a name to its
// lines as keepalived writes them.
import type { Statement } from '../keepalived/syntax.js';
import type { GlobalDefs } from '../model.js';
import { parseAddressWithPrefix } from '../addresses.js';
import { CHECKER_TYPES, INHERITED_CHECKER_FIELDS, type CheckerType } from '../checkers.js';
import { MAX_TRACK_FILE_WEIGHT } from '../limits.js';
import type {
  BfdCheckConfig,
  FileCheckConfig,
  GroupEntryConfig,
  LvsMethod,
  LvsProtocol,
  MiscCheckConfig,
  RealServerCheckerConfig,
  RealServerConfig,
  SorryServerConfig,
  VirtualServerConfig,
  VirtualServerGroupConfig,
} from '../virtual-server.js';
import { CHECKER_YAML_KEYS, checkerBlock, realServerChecker, type CheckerDraft } from './checkers.js';
import { declare } from './define.js';
import { command, commandLine, FLAG, flag, ignored, integer, mapped, oneOf, present, repeated, seconds, unimplemented, userAndGroup, weight, word, WORDS, lazyKeywords } from './kinds.js';
import { camelCase, type BlockType, type Entry, type Keyword, type Kind, type Mutable, type ReadAt, type Written, type YamlHeader } from './registry.js';

/** keepalived's longest timers (delay_loop and the like): a day, as vrrp_script's interval. */
const MAX_SECONDS = 86_400;

/** `IP [PORT]`: the address (canonical) and the port, 0 when not given. */
interface Endpoint {
  readonly family: 'ipv4' | 'ipv6';
  readonly address: string;
  readonly port: number;
}

function readEndpoint(statement: Statement, at: ReadAt, path: string): Endpoint | undefined {
  const word = at.ctx.argument(statement, path, 'an address');
  if (!word) return undefined;
  const parsed = parseAddressWithPrefix(word.text);
  if ('error' in parsed || parsed.prefixLength !== (parsed.family === 'ipv4' ? 32 : 128)) {
    at.ctx.error(word, path, 'error' in parsed ? parsed.error : `"${word.text}" is a prefix: ${statement.keyword.text} takes one address`);
    return undefined;
  }
  const portWord = statement.args[1];
  const port = portWord ? at.ctx.integerWord(portWord, `${statement.keyword.text} port`, path, 0, 65_535) : 0;
  if (port === undefined) return undefined;
  at.ctx.noExtra(statement, path, 2);
  return { family: parsed.family, address: parsed.address, port };
}

/** `IP [PORT]` back to words: the port left out when it is 0 (not given). */
const endpointWords = (endpoint: Endpoint): string[] => [endpoint.address, ...(endpoint.port !== 0 ? [String(endpoint.port)] : [])];

/** The YAML keys of an `IP [PORT]` header. */
const ENDPOINT_HEADER: YamlHeader = [[{ key: 'address' }, { key: 'port' }]];

/** A flag keyword that adds itself to the `flags` list (`sh-port`, `ops`); `ops: true` in YAML. */
const flagWord = (name: string): Kind<readonly string[]> => ({
  read: (_statement, _at, current) => (current?.includes(name) ? current : [...(current ?? []), name]),
  write: (flags) => (flags.includes(name) ? { args: [] } : undefined),
  yaml: FLAG,
  examples: () => [[name]],
});

const method = oneOf<LvsMethod>(['NAT', 'DR', 'TUN'], 'NAT, DR or TUN', { upper: true });

// ---- checkers -------------------------------------------------------------------------------

// The built-in checkers (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK, SMTP_CHECK) take the
// keywords declared once for every block that runs them (checkers.ts); MISC_CHECK, a script the
// load balancer runs itself, has its own here.

/** MISC_CHECK's words. */
interface MiscDraft {
  path?: string;
  timeoutMs?: number;
  dynamic?: boolean;
  user?: string;
  retry?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  delayLoopMs?: number;
  alpha?: boolean;
}

const misc = declare<MiscDraft, undefined>();
const miscKeywords = (): Keyword<MiscDraft, undefined>[] => [
  misc.keyword('misc_path', commandLine, misc.key('path')),
  misc.keyword('misc_timeout', seconds(MAX_SECONDS), misc.key('timeoutMs')),
  misc.keyword('misc_dynamic', present(true), misc.key('dynamic')),
  misc.keyword('user', userAndGroup, misc.key('user')),
  misc.keyword('retry', integer(0, 1_000_000), misc.key('retry'), { aliases: ['nb_get_retry'] }),
  misc.keyword('delay_before_retry', seconds(MAX_SECONDS), misc.key('delayBeforeRetryMs')),
  misc.keyword('warmup', seconds(MAX_SECONDS), misc.key('warmupMs')),
  misc.keyword('delay_loop', seconds(MAX_SECONDS), misc.key('delayLoopMs')),
  misc.keyword('alpha', flag(), misc.key('alpha')),
  // Every failed run logged, not only state changes: vrrpd logs state changes.
  misc.accepted('log_all_failures', ignored()),
];

const miscCheck = repeated<MiscDraft, RealServerCheckerConfig>(
  miscKeywords,
  () => ({}),
  (draft, statement, at) => {
    if (draft.path === undefined) {
      at.ctx.error(statement.keyword, at.path, 'MISC_CHECK needs misc_path');
      return undefined;
    }
    const config: MiscCheckConfig = {
      type: 'MISC_CHECK',
      path: draft.path,
      dynamic: draft.dynamic ?? false,
      ...(draft.timeoutMs !== undefined ? { timeoutMs: draft.timeoutMs } : {}),
      ...(draft.user !== undefined ? { user: draft.user } : {}),
      ...(draft.retry !== undefined ? { retry: draft.retry } : {}),
      ...(draft.delayBeforeRetryMs !== undefined ? { delayBeforeRetryMs: draft.delayBeforeRetryMs } : {}),
      ...(draft.warmupMs !== undefined ? { warmupMs: draft.warmupMs } : {}),
      ...(draft.delayLoopMs !== undefined ? { delayLoopMs: draft.delayLoopMs } : {}),
      ...(draft.alpha !== undefined ? { alpha: draft.alpha } : {}),
    };
    return config;
  },
  { draft: (value) => ({ ...value }) as MiscDraft, says: (value) => value.type === 'MISC_CHECK', alone: true, examples: [[{ type: 'MISC_CHECK', path: '/usr/local/bin/check-web 198.51.100.11', dynamic: true, timeoutMs: 5000 }]] },
);

/** FILE_CHECK's and BFD_CHECK's words (check_file.c, check_bfd.c): none of the other checkers' options. */
interface FileCheckDraft {
  trackFile?: string;
  weight?: number;
  reverse?: boolean;
}

const fileCheckDraft = declare<FileCheckDraft, undefined>();
const fileCheckKeywords = (): Keyword<FileCheckDraft, undefined>[] => [
  fileCheckDraft.keyword('track_file', word('a track_file name', ['maintenance']), fileCheckDraft.key('trackFile')),
  // keepalived 2.2.7 takes -2147483647..2147483647 here (a track_file's own range).
  fileCheckDraft.keyword('weight', weight(MAX_TRACK_FILE_WEIGHT), fileCheckDraft.keys(['weight', 'reverse'])),
];

const fileCheck = repeated<FileCheckDraft, RealServerCheckerConfig>(
  fileCheckKeywords,
  () => ({}),
  (draft, statement, at) => {
    if (draft.trackFile === undefined) {
      // keepalived: "FILE_CHECK has no track_file specified - ignoring"; vrrpd will not run a server unchecked by mistake.
      at.ctx.error(statement.keyword, at.path, 'FILE_CHECK needs track_file NAME (a track_file block)');
      return undefined;
    }
    const config: FileCheckConfig = {
      type: 'FILE_CHECK',
      trackFile: draft.trackFile,
      ...(draft.weight !== undefined ? { weight: draft.weight } : {}),
      ...(draft.reverse !== undefined ? { reverse: draft.reverse } : {}),
    };
    return config;
  },
  { draft: (value) => ({ ...value }) as FileCheckDraft, says: (value) => value.type === 'FILE_CHECK', alone: true, examples: [[{ type: 'FILE_CHECK', trackFile: 'maintenance', weight: 0 }]] },
);

interface BfdCheckDraft {
  name?: string;
  alpha?: boolean;
}

const bfdCheckDraft = declare<BfdCheckDraft, undefined>();
const bfdCheckKeywords = (): Keyword<BfdCheckDraft, undefined>[] => [
  bfdCheckDraft.keyword('name', word('a bfd_instance name', ['upstream']), bfdCheckDraft.key('name')),
  bfdCheckDraft.keyword('alpha', flag(), bfdCheckDraft.key('alpha')),
];

const bfdCheck = repeated<BfdCheckDraft, RealServerCheckerConfig>(
  bfdCheckKeywords,
  () => ({}),
  (draft, statement, at) => {
    if (draft.name === undefined) {
      // keepalived: "No name has been specified for BFD_CHECKER - skipping".
      at.ctx.error(statement.keyword, at.path, 'BFD_CHECK needs name NAME (a bfd_instance)');
      return undefined;
    }
    const config: BfdCheckConfig = { type: 'BFD_CHECK', name: draft.name, ...(draft.alpha !== undefined ? { alpha: draft.alpha } : {}) };
    return config;
  },
  { draft: (value) => ({ ...value }) as BfdCheckDraft, says: (value) => value.type === 'BFD_CHECK', alone: true, examples: [[{ type: 'BFD_CHECK', name: 'upstream' }]] },
);

/**
 * A checker type's keywords as a real_server's block says them: what it inherits (connect_ip, the
 * timings: INHERITED_CHECKER_FIELDS) has no default there, so a value it gives is written back
 * even when it equals a vrrp_script checker's default (`alpha false` over a virtual server's alpha).
 */
function inheritingKeywords(type: CheckerType): Keyword<CheckerDraft, undefined>[] {
  const inherited: readonly string[] = INHERITED_CHECKER_FIELDS;
  return checkerBlock(type).keywords.map((keyword) => (keyword.field && inherited.includes(keyword.field.path) ? { ...keyword, write: (draft) => keyword.say(draft) } : keyword));
}

/** A built-in checker block in a real_server: the checkers' own keywords, each block one more in the list. */
const builtinCheck = (type: CheckerType): Kind<readonly RealServerCheckerConfig[]> =>
  repeated<CheckerDraft, RealServerCheckerConfig>(
    () => inheritingKeywords(type),
    () => ({}),
    (draft) => realServerChecker(type, draft),
    // The checker keywords fill one list: each says the blocks of its type.
    { draft: (value) => ({ ...value }) as CheckerDraft, says: (value) => value.type === type, alone: true, examples: [[EXAMPLE_CHECKERS[type]]] },
  );

/** One checker of each built-in type, for the test that walks every keyword. */
const EXAMPLE_CHECKERS: Readonly<Record<CheckerType, RealServerCheckerConfig>> = {
  TCP_CHECK: realServerChecker('TCP_CHECK', { connectPort: 8080, connectTimeoutMs: 3000 }),
  HTTP_GET: realServerChecker('HTTP_GET', { urls: [{ path: '/healthz', statusCodes: [[200, 200]] }], retry: 2 }),
  SSL_GET: realServerChecker('SSL_GET', { urls: [{ path: '/readyz', statusCodes: [[200, 299]], digest: '9b3a0c85a887a256d6939da88aabd8cd' }], virtualhost: 'www.example.com' }),
  DNS_CHECK: realServerChecker('DNS_CHECK', { connectIp: '198.51.100.53', delayLoopMs: 10_000 }),
  PING_CHECK: realServerChecker('PING_CHECK', { alpha: true }),
  UDP_CHECK: realServerChecker('UDP_CHECK', { connectPort: 53, warmupMs: 2000 }),
  SMTP_CHECK: realServerChecker('SMTP_CHECK', { heloName: 'lb1.example.test', connectTimeoutMs: 10_000 }),
};

// ---- real_server ----------------------------------------------------------------------------

const real = declare<Mutable<RealServerConfig>, undefined>();
const checkers = real.key('checkers');
const realServerKeywords = (): Keyword<Mutable<RealServerConfig>, undefined>[] => [
  real.keyword('weight', integer(0, 65_535), real.key('weight')),
  real.keyword('lvs_method', method, real.key('method'), { aliases: ['lb_kind'] }),
  real.keyword('inhibit_on_failure', flag(), real.key('inhibitOnFailure')),
  real.keyword('notify_up', command, real.key('notifyUp')),
  real.keyword('notify_down', command, real.key('notifyDown')),
  real.keyword('virtualhost', word('a host name', ['www.example.com']), real.key('virtualhost')),
  real.keyword('delay_loop', seconds(MAX_SECONDS), real.key('delayLoopMs')),
  real.keyword('retry', integer(0, 1_000_000), real.key('retry'), { aliases: ['nb_get_retry'] }),
  real.keyword('delay_before_retry', seconds(MAX_SECONDS), real.key('delayBeforeRetryMs')),
  real.keyword('warmup', seconds(MAX_SECONDS), real.key('warmupMs')),
  real.keyword('connect_timeout', seconds(MAX_SECONDS), real.key('connectTimeoutMs')),
  real.keyword('alpha', flag(), real.key('alpha')),
  ...CHECKER_TYPES.map((type) => real.keyword(type, builtinCheck(type), checkers, { yaml: { key: CHECKER_YAML_KEYS[type] } })),
  real.keyword('MISC_CHECK', miscCheck, checkers, { yaml: { key: 'miscCheck' } }),
  real.keyword('FILE_CHECK', fileCheck, checkers, { yaml: { key: 'fileCheck' } }),
  real.keyword('BFD_CHECK', bfdCheck, checkers, { yaml: { key: 'bfdCheck' } }),
  real.accepted('smtp_alert', ignored()),
  real.accepted('snmp_name', ignored()),
  // IPVS's per-server connection thresholds are counted inside IPVS; nftables has no such limit per destination.
  ...['uthreshold', 'lthreshold'].map((name) => real.accepted(name, unimplemented((keyword) => `${keyword} is not implemented on nftables; the real server takes connections without that limit`))),
];

const realServers = repeated<Mutable<RealServerConfig>, RealServerConfig>(
  realServerKeywords,
  (statement, at) => {
    const endpoint = readEndpoint(statement, at, at.path);
    return endpoint && { ...endpoint, checkers: [], source: `${statement.keyword.location.file}:${statement.keyword.location.line}` };
  },
  (draft) => draft,
  {
    draft: (value) => ({ ...value }),
    header: { words: endpointWords, yaml: ENDPOINT_HEADER },
    examples: [[{ family: 'ipv4', address: '198.51.100.11', port: 8080, weight: 3, checkers: [EXAMPLE_CHECKERS.TCP_CHECK] }]],
  },
);

// ---- virtual_server -------------------------------------------------------------------------

type VirtualServerDraft = Mutable<VirtualServerConfig>;

const vs = declare<VirtualServerDraft, GlobalDefs>();
const flags = vs.key('flags');
const sorry = vs.key('sorryServer');

/** `persistence_granularity`: an IPv4 netmask (255.255.255.0), or an IPv6 prefix length. */
const granularity: Kind<string | number> = {
  read: (statement, at) => {
    const text = at.ctx.argument(statement, at.path, 'a netmask or a prefix length')?.text;
    if (text === undefined) return undefined;
    if (/^\d{1,3}$/.test(text) && Number(text) >= 1 && Number(text) <= 128) return Number(text);
    const parsed = parseAddressWithPrefix(text);
    if ('error' in parsed || parsed.family !== 'ipv4') {
      at.ctx.error(statement.args[0]!, at.path, `persistence_granularity "${text}" is not valid: expected an IPv4 netmask (255.255.255.0) or an IPv6 prefix length (1..128)`);
      return undefined;
    }
    return parsed.address;
  },
  write: (value) => ({ args: [String(value)] }),
  yaml: { kind: 'scalar' },
  examples: () => ['255.255.255.0', 64],
};

/**
 * `sorry_server IP [PORT]`, `sorry_server_inhibit` and `sorry_server_lvs_method` fill one field,
 * in any order: each adds its part to what the others said (finish drops a sorry server that
 * never got its address). The examples share one address, so that each can be said alone.
 */
const SORRY: SorryServerConfig = { family: 'ipv4', address: '198.51.100.200', port: 80, inhibit: false };
type SorryPart = Partial<SorryServerConfig>;
const sorryPart = (read: (statement: Statement, at: ReadAt) => SorryPart | undefined, write: (value: SorryServerConfig) => Written | undefined, yaml: Kind<unknown>['yaml'], examples: readonly SorryServerConfig[]): Kind<SorryServerConfig> => ({
  read: (statement, at, current) => {
    const part = read(statement, at);
    return part && ({ inhibit: false, ...current, ...part } as SorryServerConfig);
  },
  write: (value) => (value.address === undefined ? undefined : write(value)),
  yaml,
  examples: () => examples,
});
const sorryServer = sorryPart((statement, at) => readEndpoint(statement, at, at.path), (value) => ({ args: endpointWords(value) }), WORDS, [{ ...SORRY, address: '198.51.100.201', port: 8080 }]);
const sorryInhibit = sorryPart((statement, at) => {
  const on = at.ctx.flag(statement, at.path);
  return on === undefined ? undefined : { inhibit: on };
}, (value) => (value.inhibit ? { args: [] } : undefined), { kind: 'bool' }, [{ ...SORRY, inhibit: true }]);
const sorryMethod = sorryPart((statement, at) => {
  const value = method.read(statement, at, undefined);
  return value && { method: value };
}, (value) => (value.method !== undefined ? { args: [value.method] } : undefined), { kind: 'scalar' }, [{ ...SORRY, method: 'DR' }]);

/** The words after `virtual_server`. */
function targetWords(target: VirtualServerConfig['target']): string[] {
  if (target.kind === 'fwmark') return ['fwmark', String(target.mark)];
  if (target.kind === 'group') return ['group', target.name];
  return endpointWords(target);
}

// Made at the first block read or written (lazyKeywords): a configuration without one never
// reads them, and making them cost every daemon's start before its first advertisement.
const virtualServerKeywords = lazyKeywords<VirtualServerDraft, GlobalDefs>(() => [
  vs.keyword('ip_family', mapped(oneOf(['inet', 'inet6'], 'inet or inet6'), (family) => (family === 'inet' ? 'ipv4' : 'ipv6'), (family) => (family === 'ipv4' ? 'inet' : 'inet6')), vs.key('family')),
  vs.keyword('protocol', oneOf<LvsProtocol>(['TCP', 'UDP', 'SCTP'], 'TCP, UDP or SCTP', { upper: true }), vs.key('protocol')),
  vs.keyword('lvs_sched', word('a scheduler (rr, wrr, lc, wlc, sh, dh, mh, sed, nq, fo, ovf)', ['wlc']), vs.key('scheduler'), { aliases: ['lb_algo'] }),
  vs.keyword('lvs_method', method, vs.key('method'), { aliases: ['lb_kind'] }),
  ...['ops', 'hashed', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'].map((name) => vs.keyword(name, flagWord(name), flags, { yaml: { key: camelCase(name.replaceAll('-', '_')) } })),
  // keepalived: without a value, 360 s (IPVS_SVC_PERSISTENT_TIMEOUT); 0 is no persistence.
  vs.keyword('persistence_timeout', mapped(integer(0, 2_678_400, { bare: 360 }), (s) => (s === 0 ? undefined : s * 1000), (ms) => ms / 1000), vs.key('persistenceTimeoutMs')),
  vs.keyword('persistence_granularity', granularity, vs.key('persistenceGranularity')),
  vs.keyword('persistence_engine', word('a persistence engine', ['sip']), vs.key('persistenceEngine')),
  vs.keyword('quorum', integer(1, 2_147_483_647), vs.key('quorum')),
  vs.keyword('hysteresis', integer(0, 2_147_483_647), vs.key('hysteresis')),
  vs.keyword('quorum_up', command, vs.key('quorumUp')),
  vs.keyword('quorum_down', command, vs.key('quorumDown')),
  vs.keyword('alpha', flag(), vs.key('alpha', { default: false })),
  vs.keyword('omega', flag(), vs.key('omega', { default: false })),
  vs.keyword('inhibit_on_failure', flag(), vs.key('inhibitOnFailure', { default: false })),
  vs.keyword('ha_suspend', flag(), vs.key('haSuspend', { default: false })),
  vs.keyword('virtualhost', word('a host name', ['www.example.com']), vs.key('virtualhost')),
  vs.keyword('sorry_server', sorryServer, sorry),
  vs.keyword('sorry_server_inhibit', sorryInhibit, sorry),
  vs.keyword('sorry_server_lvs_method', sorryMethod, sorry),
  vs.keyword('delay_loop', seconds(MAX_SECONDS), vs.key('delayLoopMs')),
  vs.keyword('retry', integer(0, 1_000_000), vs.key('retry'), { aliases: ['nb_get_retry'] }),
  vs.keyword('delay_before_retry', seconds(MAX_SECONDS), vs.key('delayBeforeRetryMs')),
  vs.keyword('warmup', seconds(MAX_SECONDS), vs.key('warmupMs')),
  vs.keyword('connect_timeout', seconds(MAX_SECONDS), vs.key('connectTimeoutMs')),
  vs.keyword('real_server', realServers, vs.key('realServers'), { yaml: { key: 'realServers', aliases: ['realServer'] } }),
  // keepalived: the real servers' default weight.
  vs.keyword('weight', integer(1, 65_535), vs.key('weight')),
  vs.accepted('smtp_alert', ignored()),
  vs.accepted('snmp_name', ignored()),
]);

export const VIRTUAL_SERVER: BlockType<VirtualServerDraft, GlobalDefs> = {
  keyword: 'virtual_server',
  aliases: [],
  collection: 'virtualServers',
  optional: true,
  naming: 'counted',
  // `- address: 192.0.2.100` with `port: 80`, `- fwmark: 5` or `- group: web`.
  yaml: { kind: 'counted', key: 'virtualServers', header: [[{ key: 'fwmark', tagged: true }], [{ key: 'group', tagged: true }], ENDPOINT_HEADER[0]!] },
  header: (model) => targetWords(model.target),
  // The target is the block's own words, read by finish; a placeholder until then.
  create: () => ({ target: { kind: 'fwmark', mark: 0 }, flags: [], alpha: false, omega: false, inhibitOnFailure: false, haSuspend: false, realServers: [] }),
  fields: [],
  get keywords() {
    return virtualServerKeywords();
  },
  finish: (model, { at, statement }) => {
    const target = readTarget(statement, at);
    if (!target) return false;
    model.target = target;
    if (model.sorryServer && model.sorryServer.address === undefined) {
      // keepalived keeps the flag with no server to apply it to: nothing to do either way.
      at.ctx.warning(statement.keyword, `${at.block}.sorryServer`, 'sorry_server_inhibit / sorry_server_lvs_method without a sorry_server: ignored');
      delete model.sorryServer;
    }
    model.source = `${statement.keyword.location.file}:${statement.keyword.location.line}`;
    return true;
  },
};

/** `virtual_server IP PORT`, `virtual_server fwmark N`, `virtual_server group NAME`. */
function readTarget(statement: Statement, at: ReadAt): VirtualServerConfig['target'] | undefined {
  const path = `${at.block}.target`;
  const [first, second] = statement.args;
  if (first?.text === 'fwmark' || first?.text === 'group') {
    if (!second) {
      at.ctx.error(first, path, `virtual_server ${first.text} needs ${first.text === 'fwmark' ? 'a mark' : 'a virtual_server_group name'}`);
      return undefined;
    }
    at.ctx.sourceMap.set(path, second.location);
    if (first.text === 'group') return { kind: 'group', name: second.text };
    const mark = at.ctx.integerWord(second, 'virtual_server fwmark', path, 1, 0xffff_ffff);
    return mark === undefined ? undefined : { kind: 'fwmark', mark };
  }
  const endpoint = readEndpoint(statement, { ...at, path }, path);
  if (!endpoint) return undefined;
  if (!statement.args[1]) {
    at.ctx.error(statement.keyword, path, 'virtual_server needs a port after its address (0: every port, for a persistent service)');
    return undefined;
  }
  return { kind: 'address', ...endpoint };
}

// ---- virtual_server_group -------------------------------------------------------------------

export const VIRTUAL_SERVER_GROUP: BlockType<Mutable<VirtualServerGroupConfig>, GlobalDefs> = {
  keyword: 'virtual_server_group',
  aliases: [],
  collection: 'virtualServerGroups',
  optional: true,
  naming: 'named',
  yaml: { kind: 'named', key: 'virtualServerGroups', what: (name) => `virtual_server_group ${name}` },
  create: (name) => ({ name, entries: [] }),
  fields: [],
  keywords: [],
  writeBody: (group) => group.entries.map(groupEntryWords),
  // Its lines are entries, not keywords: `IP[-LAST] PORT` or `fwmark N`.
  readBody: (statements, model, at) => {
    const entries: GroupEntryConfig[] = [];
    statements.forEach((line, index) => {
      const path = `${at.block}.entries[${index}]`;
      at.ctx.locate(path, line);
      const entry = groupEntry(line, { ...at, path });
      if (entry) entries.push(entry);
    });
    model.entries = entries;
  },
};

function groupEntry(line: Statement, at: ReadAt): GroupEntryConfig | undefined {
  const text = line.keyword.text;
  if (text === 'fwmark') {
    const mark = at.ctx.integer(line, at.path, 1, 0xffff_ffff);
    return mark === undefined ? undefined : { kind: 'fwmark', mark };
  }
  // keepalived: `192.0.2.1-10` is 192.0.2.1 to 192.0.2.10 (the last part of the address), `2001:db8::1-a` likewise.
  const [first = '', lastPart] = text.split('-');
  const parsed = parseAddressWithPrefix(first);
  if ('error' in parsed) {
    at.ctx.error(line.keyword, at.path, `virtual_server_group entry "${text}": ${parsed.error}`);
    return undefined;
  }
  let last = parsed.address;
  if (lastPart !== undefined) {
    const separator = parsed.family === 'ipv4' ? '.' : ':';
    const end = parseAddressWithPrefix(first.slice(0, first.lastIndexOf(separator) + 1) + lastPart);
    if ('error' in end || end.family !== parsed.family) {
      at.ctx.error(line.keyword, at.path, `virtual_server_group entry "${text}": the range's end "${lastPart}" is not valid`);
      return undefined;
    }
    last = end.address;
  }
  const portWord = line.args[0];
  const port = portWord ? at.ctx.integerWord(portWord, 'virtual_server_group', at.path, 0, 65_535) : 0;
  if (port === undefined) return undefined;
  return { kind: 'range', family: parsed.family, first: parsed.address, last, port };
}

/** A group entry as keepalived writes it: `192.0.2.1-10 80`, `fwmark 5`. */
function groupEntryWords(entry: GroupEntryConfig): Entry {
  if (entry.kind === 'fwmark') return { keyword: 'fwmark', args: [String(entry.mark)] };
  const separator = entry.family === 'ipv4' ? '.' : ':';
  const range = entry.last === entry.first ? entry.first : `${entry.first}-${entry.last.slice(entry.last.lastIndexOf(separator) + 1)}`;
  return { keyword: range, args: [String(entry.port)] };
}
