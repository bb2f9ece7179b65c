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
import type {
  BuiltinCheckerConfig,
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
import { declare } from './define.js';
import { CHECKER_YAML_KEYS } from './checkers.js';
import { address, command, commandLine, FLAG, flag, ignored, integer, mapped, oneOf, present, repeated, seconds, unimplemented, userAndGroup, word, WORDS } from './kinds.js';
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
const port = integer(1, 65_535);

// ---- checkers -------------------------------------------------------------------------------

type CheckerType = RealServerCheckerConfig['type'];

/** A checker block's words, before its type says which of them it keeps. */
interface CheckerDraft {
  type: CheckerType;
  connectIp?: string;
  connectPort?: number;
  bindTo?: string;
  connectTimeoutMs?: number;
  retry?: number;
  delayBeforeRetryMs?: number;
  warmupMs?: number;
  delayLoopMs?: number;
  alpha?: boolean;
  urls?: NonNullable<BuiltinCheckerConfig['urls']>;
  virtualhost?: string;
  path?: string;
  timeoutMs?: number;
  dynamic?: boolean;
  user?: string;
}

type Url = NonNullable<BuiltinCheckerConfig['urls']>[number];
interface UrlDraft {
  path?: string;
  statusCodes?: ReadonlyArray<readonly [number, number]>;
  digest?: string;
}

/** `status_code 200`, `status_code 200-299 301` (keepalived 2.2 takes ranges and lists). */
const statusCodes: Kind<ReadonlyArray<readonly [number, number]>> = {
  read: (statement, at) => {
    if (statement.args.length === 0) {
      at.ctx.error(statement.keyword, at.path, 'status_code needs an HTTP status code (200) or a range (200-299)');
      return undefined;
    }
    const ranges: Array<readonly [number, number]> = [];
    for (const arg of statement.args) {
      const match = /^(\d{3})(?:-(\d{3}))?$/.exec(arg.text);
      const low = Number(match?.[1]);
      const high = match?.[2] !== undefined ? Number(match[2]) : low;
      if (!match || low < 100 || high > 599 || high < low) {
        at.ctx.error(arg, at.path, `status_code "${arg.text}" is not valid: expected a status code 100..599 or a range LOW-HIGH`);
        return undefined;
      }
      ranges.push([low, high]);
    }
    return ranges;
  },
  write: (ranges) => ({ args: ranges.map(([low, high]) => (low === high ? String(low) : `${low}-${high}`)) }),
  yaml: WORDS,
  examples: () => [[[200, 200]], [[200, 299], [301, 301]]],
};

const url = declare<UrlDraft, undefined>();
const URL_KEYWORDS = [
  url.keyword('path', word('a URL path', ['/healthz']), url.key('path')),
  url.keyword('status_code', statusCodes, url.key('statusCodes')),
  url.keyword('digest', word('an MD5 digest', ['9b3a0c85a887a256d6939da88aabd8cd']), url.key('digest')),
  // keepalived 2.2's regex matching needs PCRE there; not read here yet.
  url.accepted('regex', unimplemented((keyword) => `url ${keyword} is not implemented; the url is checked without it`)),
  url.accepted('regex_no_match', unimplemented((keyword) => `url ${keyword} is not implemented; the url is checked without it`)),
  url.accepted('regex_options', ignored()),
  url.accepted('regex_stack', ignored()),
  url.accepted('regex_min_offset', ignored()),
  url.accepted('regex_max_offset', ignored()),
  url.accepted('virtualhost', unimplemented((keyword) => `a url's own ${keyword} is not implemented; the checker's virtualhost is sent`)),
];

const urls = repeated<UrlDraft, Url>(
  URL_KEYWORDS,
  () => ({}),
  (draft, statement, at) => {
    if (draft.path === undefined) {
      at.ctx.error(statement.keyword, at.path, 'url needs a path');
      return undefined;
    }
    return { path: draft.path, ...(draft.statusCodes ? { statusCodes: draft.statusCodes } : {}), ...(draft.digest !== undefined ? { digest: draft.digest } : {}) };
  },
  { draft: (value) => ({ ...value }), examples: [[{ path: '/healthz', statusCodes: [[200, 299]] }, { path: '/readyz' }]] },
);

const checker = declare<CheckerDraft, undefined>();
/** Every checker's connection and timing keywords (keepalived's checker_common). */
const COMMON_CHECKER_KEYWORDS = [
  checker.keyword('connect_ip', address(['198.51.100.11']), checker.key('connectIp')),
  checker.keyword('connect_port', port, checker.key('connectPort')),
  checker.keyword('bindto', address(['198.51.100.2']), checker.key('bindTo')),
  checker.accepted('bind_port', unimplemented((keyword) => `${keyword} is not implemented; the kernel picks the source port`)),
  checker.accepted('bind_if', unimplemented((keyword) => `${keyword} is not implemented; the route to the server picks the interface`)),
  checker.accepted('fwmark', unimplemented((keyword) => `a checker's ${keyword} is not implemented; its packets are not marked`)),
  checker.keyword('connect_timeout', seconds(MAX_SECONDS), checker.key('connectTimeoutMs')),
  checker.keyword('retry', integer(0, 1_000_000), checker.key('retry'), { aliases: ['nb_get_retry'] }),
  checker.keyword('delay_before_retry', seconds(MAX_SECONDS), checker.key('delayBeforeRetryMs')),
  checker.keyword('warmup', seconds(MAX_SECONDS), checker.key('warmupMs')),
  checker.keyword('delay_loop', seconds(MAX_SECONDS), checker.key('delayLoopMs')),
  checker.keyword('alpha', flag(), checker.key('alpha')),
  // Every failed attempt logged, not only state changes: vrrpd logs state changes.
  checker.accepted('log_all_failures', ignored()),
];

const CHECKER_KEYWORDS: Readonly<Record<CheckerType, readonly Keyword<CheckerDraft, undefined>[]>> = {
  TCP_CHECK: COMMON_CHECKER_KEYWORDS,
  HTTP_GET: [...COMMON_CHECKER_KEYWORDS, checker.keyword('url', urls, checker.key('urls'), { yaml: { key: 'urls', aliases: ['url'] } }), checker.keyword('virtualhost', word('a host name', ['www.example.com']), checker.key('virtualhost')), checker.accepted('enable_sni', ignored()), checker.accepted('tls_compliant', ignored()), checker.accepted('fast_recovery', ignored()), checker.accepted('http_protocol', ignored())],
  SSL_GET: [...COMMON_CHECKER_KEYWORDS, checker.keyword('url', urls, checker.key('urls'), { yaml: { key: 'urls', aliases: ['url'] } }), checker.keyword('virtualhost', word('a host name', ['www.example.com']), checker.key('virtualhost')), checker.accepted('enable_sni', ignored()), checker.accepted('tls_compliant', ignored()), checker.accepted('fast_recovery', ignored()), checker.accepted('http_protocol', ignored())],
  // Their own words (DNS type and name, UDP payload) are for the built-in checkers, not in this build yet.
  DNS_CHECK: [...COMMON_CHECKER_KEYWORDS, checker.accepted('type', ignored()), checker.accepted('name', ignored())],
  PING_CHECK: COMMON_CHECKER_KEYWORDS,
  UDP_CHECK: [...COMMON_CHECKER_KEYWORDS, checker.accepted('payload', ignored()), checker.accepted('require_reply', ignored()), checker.accepted('min_reply_length', ignored()), checker.accepted('max_reply_length', ignored())],
  MISC_CHECK: [
    checker.keyword('misc_path', commandLine, checker.key('path')),
    checker.keyword('misc_timeout', seconds(MAX_SECONDS), checker.key('timeoutMs')),
    checker.keyword('misc_dynamic', present(true), checker.key('dynamic')),
    checker.keyword('user', userAndGroup, checker.key('user')),
    checker.keyword('retry', integer(0, 1_000_000), checker.key('retry'), { aliases: ['nb_get_retry'] }),
    checker.keyword('delay_before_retry', seconds(MAX_SECONDS), checker.key('delayBeforeRetryMs')),
    checker.keyword('warmup', seconds(MAX_SECONDS), checker.key('warmupMs')),
    checker.keyword('delay_loop', seconds(MAX_SECONDS), checker.key('delayLoopMs')),
    checker.keyword('alpha', flag(), checker.key('alpha')),
    checker.accepted('log_all_failures', ignored()),
  ],
};

const timing = (draft: CheckerDraft): Partial<Pick<BuiltinCheckerConfig, 'connectTimeoutMs' | 'retry' | 'delayBeforeRetryMs' | 'warmupMs' | 'delayLoopMs' | 'alpha'>> => ({
  ...(draft.connectTimeoutMs !== undefined ? { connectTimeoutMs: draft.connectTimeoutMs } : {}),
  ...(draft.retry !== undefined ? { retry: draft.retry } : {}),
  ...(draft.delayBeforeRetryMs !== undefined ? { delayBeforeRetryMs: draft.delayBeforeRetryMs } : {}),
  ...(draft.warmupMs !== undefined ? { warmupMs: draft.warmupMs } : {}),
  ...(draft.delayLoopMs !== undefined ? { delayLoopMs: draft.delayLoopMs } : {}),
  ...(draft.alpha !== undefined ? { alpha: draft.alpha } : {}),
});

function checkerKind(type: CheckerType): Kind<readonly RealServerCheckerConfig[]> {
  return repeated<CheckerDraft, RealServerCheckerConfig>(
    CHECKER_KEYWORDS[type],
    () => ({ type }),
    (draft, statement, at) => {
      if (type === 'MISC_CHECK') {
        if (draft.path === undefined) {
          at.ctx.error(statement.keyword, at.path, 'MISC_CHECK needs misc_path');
          return undefined;
        }
        const misc: MiscCheckConfig = {
          type: 'MISC_CHECK',
          path: draft.path,
          dynamic: draft.dynamic ?? false,
          ...(draft.timeoutMs !== undefined ? { timeoutMs: draft.timeoutMs } : {}),
          ...(draft.user !== undefined ? { user: draft.user } : {}),
          ...timing(draft),
        };
        return misc;
      }
      return {
        type,
        ...(draft.connectIp !== undefined ? { connectIp: draft.connectIp } : {}),
        ...(draft.connectPort !== undefined ? { connectPort: draft.connectPort } : {}),
        ...(draft.bindTo !== undefined ? { bindTo: draft.bindTo } : {}),
        ...(draft.urls ? { urls: draft.urls } : {}),
        ...(draft.virtualhost !== undefined ? { virtualhost: draft.virtualhost } : {}),
        ...timing(draft),
      } as BuiltinCheckerConfig;
    },
    // The checker keywords fill one list: each says the blocks of its type.
    { draft: (value) => ({ ...value }) as CheckerDraft, says: (value) => value.type === type, alone: true, examples: [[EXAMPLE_CHECKERS[type]]] },
  );
}

/** One checker of each type, for the test that walks every keyword. */
const EXAMPLE_CHECKERS: Readonly<Record<CheckerType, RealServerCheckerConfig>> = {
  TCP_CHECK: { type: 'TCP_CHECK', connectPort: 8080, connectTimeoutMs: 3000 },
  HTTP_GET: { type: 'HTTP_GET', urls: [{ path: '/healthz', statusCodes: [[200, 200]] }], retry: 2 },
  SSL_GET: { type: 'SSL_GET', urls: [{ path: '/readyz', digest: '9b3a0c85a887a256d6939da88aabd8cd' }], virtualhost: 'www.example.com' },
  MISC_CHECK: { type: 'MISC_CHECK', path: '/usr/local/bin/check-web 198.51.100.11', dynamic: true, timeoutMs: 5000 },
  DNS_CHECK: { type: 'DNS_CHECK', connectIp: '198.51.100.53', delayLoopMs: 10_000 },
  PING_CHECK: { type: 'PING_CHECK', alpha: true },
  UDP_CHECK: { type: 'UDP_CHECK', connectPort: 53, warmupMs: 2000 },
};

/** Each checker block's YAML key: vrrp_script's (checkers.ts), and MISC_CHECK's, which only a real_server has. */
const checkerYamlKey = (type: CheckerType): string => (type === 'MISC_CHECK' ? 'miscCheck' : CHECKER_YAML_KEYS[type]);

// ---- real_server ----------------------------------------------------------------------------

const real = declare<Mutable<RealServerConfig>, undefined>();
const checkers = real.key('checkers');
const REAL_SERVER_KEYWORDS = [
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
  ...(['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'MISC_CHECK', 'DNS_CHECK', 'PING_CHECK', 'UDP_CHECK'] as const).map((type) => real.keyword(type, checkerKind(type), checkers, { yaml: { key: checkerYamlKey(type) } })),
  ...['SMTP_CHECK', 'FILE_CHECK', 'BFD_CHECK'].map((type) => real.accepted(type, unimplemented((keyword) => `${keyword} is not implemented; this real server is checked without it`))),
  real.accepted('smtp_alert', ignored()),
  real.accepted('snmp_name', ignored()),
  // IPVS's per-server connection thresholds are counted inside IPVS; nftables has no such limit per destination.
  ...['uthreshold', 'lthreshold'].map((name) => real.accepted(name, unimplemented((keyword) => `${keyword} is not implemented on nftables; the real server takes connections without that limit`))),
];

const realServers = repeated<Mutable<RealServerConfig>, RealServerConfig>(
  REAL_SERVER_KEYWORDS,
  (statement, at) => {
    const endpoint = readEndpoint(statement, at, at.path);
    return endpoint && { ...endpoint, checkers: [], source: `${statement.keyword.location.file}:${statement.keyword.location.line}` };
  },
  (draft) => draft,
  {
    draft: (value) => ({ ...value }),
    header: { words: endpointWords, yaml: ENDPOINT_HEADER },
    examples: [[{ family: 'ipv4', address: '198.51.100.11', port: 8080, weight: 3, checkers: [{ type: 'TCP_CHECK', connectTimeoutMs: 3000 }] }]],
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
  keywords: [
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
  ],
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
