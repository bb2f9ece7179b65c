// keepalived's load-balancing blocks (man keepalived.conf, "Virtual server(s)"): `virtual_server
// IP PORT | fwmark N | group NAME { ... }` with its `real_server IP [PORT] { ... }` blocks and
// their checkers, and `virtual_server_group NAME { IP[-END] PORT | fwmark N ... }`. What keepalived
// fills in once the whole file is read (a real server's port from its service's, timings from the
// enclosing block) is validate-virtual-servers.ts's, so the model is what was written.
//
// These block types are read from keepalived.conf only for now: the writers (vrrpd convert) and
// the YAML translator do not have them yet (index.ts lists them apart).
import type { Statement } from '../keepalived/syntax.js';
import { blockOf, BodyReader } from '../keepalived/block-reader.js';
import type { GlobalDefs } from '../model.js';
import { parseAddressWithPrefix } from '../addresses.js';
import { CHECKER_TYPES, type CheckerType } from '../checkers.js';
import type {
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
import { checkerBlock, realServerChecker, type CheckerDraft } from './checkers.js';
import { declare } from './define.js';
import { command, commandLine, flag, ignored, integer, mapped, oneOf, present, seconds, unimplemented, userAndGroup, word, WORDS } from './kinds.js';
import type { BlockType, Keyword, Kind, Mutable, ReadAt } from './registry.js';

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
  const port = portWord ? at.ctx.integerWord(portWord, statement.keyword.text, path, 0, 65_535) : 0;
  if (port === undefined) return undefined;
  at.ctx.noExtra(statement, path, 2);
  return { family: parsed.family, address: parsed.address, port };
}

/**
 * A block that may come many times in its block (`real_server`, a checker, `url`): each is read with
 * its own keywords into a draft at `PATH[i]`, finished into the list's next item.
 */
function repeated<D extends object, V>(keywords: readonly Keyword<D, undefined>[], start: (statement: Statement, at: ReadAt) => Mutable<D> | undefined, finish: (draft: Mutable<D>, statement: Statement, at: ReadAt) => V | undefined): Kind<readonly V[]> {
  return {
    read: (statement, at, current) => {
      const list = current ?? [];
      const path = `${at.path}[${list.length}]`;
      const item = { ...at, path, block: path };
      const draft = start(statement, item);
      if (!draft) return undefined;
      at.ctx.locate(path, statement);
      new BodyReader(keywords, statement.keyword.text).read(blockOf(statement, at.ctx, path), draft, path, at.ctx);
      const value = finish(draft, statement, item);
      return value === undefined ? undefined : [...list, value];
    },
    // Not written yet (see the header).
    write: () => undefined,
    yaml: WORDS,
    examples: () => [],
  };
}

/** A flag keyword that adds itself to the `flags` list (`sh-port`, `ops`). */
const flagWord = (name: string): Kind<readonly string[]> => ({
  read: (_statement, _at, current) => (current?.includes(name) ? current : [...(current ?? []), name]),
  write: () => undefined,
  yaml: WORDS,
  examples: () => [],
});

const method = oneOf<LvsMethod>(['NAT', 'DR', 'TUN'], 'NAT, DR or TUN', { upper: true });

// ---- checkers -------------------------------------------------------------------------------

// The built-in checkers (HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK) take the
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
const MISC_KEYWORDS = [
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
  MISC_KEYWORDS,
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
);

/** A built-in checker block in a real_server: the checkers' own keywords, each block one more in the list. */
const builtinCheck = (type: CheckerType): Kind<readonly RealServerCheckerConfig[]> =>
  repeated<CheckerDraft, RealServerCheckerConfig>(checkerBlock(type).keywords, () => ({}), (draft) => realServerChecker(type, draft));

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
  ...CHECKER_TYPES.map((type) => real.keyword(type, builtinCheck(type), checkers)),
  real.keyword('MISC_CHECK', miscCheck, checkers),
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
);

// ---- virtual_server -------------------------------------------------------------------------

/** A virtual server while its block is read: sorry_server's companions may come before it. */
type VirtualServerDraft = Mutable<VirtualServerConfig> & { sorryInhibit?: boolean; sorryMethod?: LvsMethod };

const vs = declare<VirtualServerDraft, GlobalDefs>();
const flags = vs.key('flags');

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
  write: () => undefined,
  yaml: WORDS,
  examples: () => [],
};

const sorryServer: Kind<SorryServerConfig> = {
  read: (statement, at) => {
    const endpoint = readEndpoint(statement, at, at.path);
    return endpoint && { ...endpoint, inhibit: false };
  },
  write: () => undefined,
  yaml: WORDS,
  examples: () => [],
};

export const VIRTUAL_SERVER: BlockType<VirtualServerDraft, GlobalDefs> = {
  keyword: 'virtual_server',
  aliases: [],
  collection: 'virtualServers',
  optional: true,
  naming: 'counted',
  yaml: { kind: 'counted', key: 'virtualServers' },
  // The target is the block's own words, read by finish; a placeholder until then.
  create: () => ({ target: { kind: 'fwmark', mark: 0 }, flags: [], alpha: false, omega: false, inhibitOnFailure: false, haSuspend: false, realServers: [] }),
  fields: [],
  keywords: [
    vs.keyword('ip_family', mapped(oneOf(['inet', 'inet6'], 'inet or inet6'), (family) => (family === 'inet' ? 'ipv4' : 'ipv6'), (family) => (family === 'ipv4' ? 'inet' : 'inet6')), vs.key('family')),
    vs.keyword('protocol', oneOf<LvsProtocol>(['TCP', 'UDP', 'SCTP'], 'TCP, UDP or SCTP', { upper: true }), vs.key('protocol')),
    vs.keyword('lvs_sched', word('a scheduler (rr, wrr, lc, wlc, sh, dh, mh, sed, nq, fo, ovf)', ['wlc']), vs.key('scheduler'), { aliases: ['lb_algo'] }),
    vs.keyword('lvs_method', method, vs.key('method'), { aliases: ['lb_kind'] }),
    ...['ops', 'hashed', 'flag-1', 'flag-2', 'flag-3', 'sh-port', 'sh-fallback', 'mh-port', 'mh-fallback'].map((name) => vs.keyword(name, flagWord(name), flags)),
    // keepalived: without a value, 360 s (IPVS_SVC_PERSISTENT_TIMEOUT); 0 is no persistence.
    vs.keyword('persistence_timeout', mapped(integer(0, 2_678_400, { bare: 360 }), (s) => (s === 0 ? undefined : s * 1000), (ms) => ms / 1000), vs.key('persistenceTimeoutMs')),
    vs.keyword('persistence_granularity', granularity, vs.key('persistenceGranularity')),
    vs.keyword('persistence_engine', word('a persistence engine', ['sip']), vs.key('persistenceEngine')),
    vs.keyword('quorum', integer(1, 2_147_483_647), vs.key('quorum')),
    vs.keyword('hysteresis', integer(0, 2_147_483_647), vs.key('hysteresis')),
    vs.keyword('quorum_up', command, vs.key('quorumUp')),
    vs.keyword('quorum_down', command, vs.key('quorumDown')),
    vs.keyword('alpha', flag(), vs.key('alpha')),
    vs.keyword('omega', flag(), vs.key('omega')),
    vs.keyword('inhibit_on_failure', flag(), vs.key('inhibitOnFailure')),
    vs.keyword('ha_suspend', flag(), vs.key('haSuspend')),
    vs.keyword('virtualhost', word('a host name', ['www.example.com']), vs.key('virtualhost')),
    vs.keyword('sorry_server', sorryServer, vs.key('sorryServer')),
    vs.keyword('sorry_server_inhibit', flag(), vs.key('sorryInhibit')),
    vs.keyword('sorry_server_lvs_method', method, vs.key('sorryMethod')),
    vs.keyword('delay_loop', seconds(MAX_SECONDS), vs.key('delayLoopMs')),
    vs.keyword('retry', integer(0, 1_000_000), vs.key('retry'), { aliases: ['nb_get_retry'] }),
    vs.keyword('delay_before_retry', seconds(MAX_SECONDS), vs.key('delayBeforeRetryMs')),
    vs.keyword('warmup', seconds(MAX_SECONDS), vs.key('warmupMs')),
    vs.keyword('connect_timeout', seconds(MAX_SECONDS), vs.key('connectTimeoutMs')),
    vs.keyword('real_server', realServers, vs.key('realServers')),
    // keepalived: the real servers' default weight.
    vs.keyword('weight', integer(1, 65_535), vs.key('weight')),
    vs.accepted('smtp_alert', ignored()),
    vs.accepted('snmp_name', ignored()),
  ],
  finish: (model, { at, statement }) => {
    const target = readTarget(statement, at);
    if (!target) return false;
    model.target = target;
    if (model.sorryServer) {
      model.sorryServer = { ...model.sorryServer, inhibit: model.sorryInhibit ?? false, ...(model.sorryMethod ? { method: model.sorryMethod } : {}) };
    }
    delete model.sorryInhibit;
    delete model.sorryMethod;
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
