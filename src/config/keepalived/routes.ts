// keepalived's virtual_routes and virtual_rules blocks: one `ip route` / `ip rule` like line per
// entry. What vrrpd installs is read into the model; every other word is reported at its position
// (an option vrrpd does not apply is a warning naming it, an entry it cannot install a warning
// saying the entry is left out), so nothing disappears silently.
import { parseAddressWithPrefix } from '../addresses.js';
import type { AddressFamily, RouteType, VirtualRouteConfig, VirtualRuleConfig } from '../model.js';
import { TABLE_NAMES } from '../route-text.js';
import { RT_TABLES_PATHS, tableNumber } from '../route-tables.js';
import type { Statement, Word } from './syntax.js';
import type { LoadContext } from './values.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A route or rule whose family is still open (`default` without via/src): the instance's then. */
export type Draft<T extends { family: AddressFamily }> = Omit<T, 'family'> & { family?: AddressFamily };

const U32_MAX = 4_294_967_295;
const ROUTE_TYPES = new Set<string>(['blackhole', 'unreachable', 'prohibit']);
/** `ip route` types vrrpd does not install. */
const UNSUPPORTED_ROUTE_TYPES = new Set(['throw', 'local', 'broadcast', 'multicast', 'anycast', 'nat', 'unicast']);
/** `ip route` options that take a value and that vrrpd does not apply. */
const UNSUPPORTED_ROUTE_OPTIONS = new Set([
  'mtu', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'ssthresh', 'realms', 'realm', 'rto_min', 'initcwnd',
  'initrwnd', 'features', 'quickack', 'congctl', 'tos', 'dsfield', 'expires', 'pref', 'hoplimit', 'fastopen_no_cookie',
  'ttl-propagate', 'encap', 'nexthop', 'or', 'track_group', 'nhid', 'weight',
]);
/** `ip rule` options that take a value and that vrrpd does not apply. */
const UNSUPPORTED_RULE_OPTIONS = new Set([
  'tos', 'dsfield', 'realms', 'goto', 'nat', 'map-to', 'suppress_prefixlength', 'suppress_ifgroup', 'uidrange', 'ipproto',
  'sport', 'dport', 'tun_id', 'protocol', 'proto', 'flowlabel', 'dscp',
]);
/** keepalived's priority for the first rule without one; later ones count down. */
const DEFAULT_RULE_PRIORITY = 16384;
/** Rules given a default priority so far, per file being loaded. */
const defaultedRules = new WeakMap<LoadContext, number>();
const RULE_ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit', 'nop', 'l3mdev']);

function blockEntries(statement: Statement, path: string, ctx: LoadContext): readonly Statement[] {
  if (statement.children === undefined) {
    ctx.error(statement.keyword, path, `${statement.keyword.text} needs a { ... } block`);
    return [];
  }
  ctx.sourceMap.set(path, statement.keyword.location);
  return statement.children;
}

/** The words of one entry: the block syntax makes the first word the keyword. */
function entryWords(entry: Statement): Word[] {
  return [entry.keyword, ...entry.args];
}

/**
 * The entries of a virtual_routes / virtual_rules block that `read` accepts, each located;
 * `start`: entries already read from an earlier block of the same instance.
 */
function readEntries<T>(statement: Statement, path: string, ctx: LoadContext, start: number, read: (words: Word[], path: string, ctx: LoadContext) => T | undefined): T[] {
  const entries: T[] = [];
  for (const entry of blockEntries(statement, path, ctx)) {
    const entryPath = `${path}[${start + entries.length}]`;
    const value = read(entryWords(entry), entryPath, ctx);
    if (value === undefined) continue;
    ctx.sourceMap.set(entryPath, entry.keyword.location);
    entries.push(value);
  }
  return entries;
}

export function readRoutes(statement: Statement, path: string, ctx: LoadContext, start = 0): Draft<VirtualRouteConfig>[] {
  return readEntries(statement, path, ctx, start, readRoute);
}

/**
 * One entry's words, read left to right as `ip` reads its options. A missing or invalid value is
 * reported at its word and fails the entry (`ok`), and reading goes on, so that every problem of
 * the line is reported at once.
 */
class EntryWords {
  ok = true;
  private index = 0;

  constructor(
    private readonly words: readonly Word[],
    private readonly path: string,
    private readonly ctx: LoadContext,
  ) {}

  /** The next option word; undefined at the end of the line. */
  next(): Word | undefined {
    return this.words[this.index++];
  }

  /** The word after `option`, which must have one. */
  value(option: Word): Word | undefined {
    const value = this.words[this.index];
    if (!value) {
      this.ctx.error(option, this.path, `${option.text} needs a value`);
      this.ok = false;
      return undefined;
    }
    this.index++;
    return value;
  }

  /** The word after `option` through `parse` (which reports what it refuses) into `store`. */
  readValue<T>(option: Word, parse: (value: Word) => T | undefined, store: (parsed: T) => void): void {
    const value = this.value(option);
    if (!value) return;
    const parsed = parse(value);
    if (parsed === undefined) this.ok = false;
    else store(parsed);
  }

  fail(): void {
    this.ok = false;
  }
}

function readRoute(words: Word[], path: string, ctx: LoadContext): Draft<VirtualRouteConfig> | undefined {
  const route: Mutable<Draft<VirtualRouteConfig>> = { destination: '', prefixLength: -1 };
  const entry = new EntryWords(words, path, ctx);
  let hasDestination = false;
  for (let word = entry.next(); word; word = entry.next()) {
    const option = word.text;
    if (option === 'src') {
      entry.readValue(word, (value) => hostAddress(value, 'src', path, ctx), (address) => (route.source = address));
    } else if (option === 'via' || option === 'gw' || option === 'gateway') {
      entry.readValue(word, (value) => hostAddress(value, option, path, ctx), (address) => (route.gateway = address));
    } else if (option === 'dev' || option === 'oif') {
      const value = entry.value(word);
      if (value) route.device = value.text;
    } else if (option === 'metric' || option === 'preference' || option === 'priority') {
      entry.readValue(word, (value) => ctx.integerWord(value, option, path, 0, U32_MAX), (metric) => (route.metric = metric));
    } else if (option === 'table') {
      entry.readValue(word, (value) => table(value, path, ctx), (number) => (route.table = number));
    } else if (option === 'scope') {
      const value = entry.value(word);
      if (value) route.scope = value.text;
    } else if (option === 'onlink') {
      route.onlink = true;
    } else if (option === 'no_track') {
      // keepalived: do not fault the instance when the route's interface goes down; vrrpd never does.
    } else if (option === 'proto' || option === 'protocol') {
      const value = entry.value(word);
      if (value) {
        ctx.warning(word, path, `${option} ${value.text}: vrrpd marks the routes it adds with its own protocol number, so that a restart after a crash removes exactly those; ignored`);
      }
    } else if (ROUTE_TYPES.has(option) && !hasDestination) {
      route.type = option as RouteType;
    } else if (UNSUPPORTED_ROUTE_TYPES.has(option) && !hasDestination) {
      if (option === 'unicast') continue;
      ctx.warning(word, path, `route type ${option} is not supported by vrrpd (only unicast, blackhole, unreachable and prohibit); this virtual_routes entry is left out`);
      return undefined;
    } else if (UNSUPPORTED_ROUTE_OPTIONS.has(option)) {
      const value = entry.value(word);
      if (value) ctx.warning(word, path, `route option ${option} is not supported by vrrpd; "${option} ${value.text}" ignored`);
    } else if (option === 'to' || !hasDestination) {
      const value = option === 'to' ? entry.value(word) : word;
      if (!value) continue;
      if (hasDestination) {
        ctx.error(value, path, `the route has two destinations: ${route.destination}/${route.prefixLength} and ${value.text}`);
        entry.fail();
        continue;
      }
      hasDestination = true;
      const destination = prefix(value, 'route destination', path, ctx);
      if (!destination) {
        entry.fail();
        continue;
      }
      route.destination = destination.address;
      route.prefixLength = destination.prefixLength;
      if (destination.family) route.family = destination.family;
    } else {
      ctx.warning(word, path, `unknown virtual_routes option "${option}"; ignored`);
    }
  }
  if (!hasDestination) {
    ctx.error(words[0]!, path, 'this virtual_routes entry has no destination (a prefix such as 198.51.100.0/24, or default)');
    return undefined;
  }
  if (!entry.ok) return undefined;
  // `default` takes its family from the gateway or the source; else the instance's.
  if (route.family === undefined) {
    const family = (route.gateway ?? route.source) !== undefined ? familyOfAddress(route.gateway ?? route.source!) : undefined;
    if (family) route.family = family;
  }
  if (route.destination === '' && route.family) route.destination = route.family === 'ipv4' ? '0.0.0.0' : '::';
  return route;
}

export function readRules(statement: Statement, path: string, ctx: LoadContext, start = 0): Draft<VirtualRuleConfig>[] {
  return readEntries(statement, path, ctx, start, readRule);
}

function readRule(words: Word[], path: string, ctx: LoadContext): Draft<VirtualRuleConfig> | undefined {
  const rule: Mutable<Omit<Draft<VirtualRuleConfig>, 'table'>> & { table?: number } = {};
  const entry = new EntryWords(words, path, ctx);
  for (let word = entry.next(); word; word = entry.next()) {
    const option = word.text;
    if (option === 'not') rule.invert = true;
    else if (option === 'from' || option === 'to') {
      const value = entry.value(word);
      if (!value || value.text === 'all') continue;
      const parsed = prefix(value, option, path, ctx);
      if (!parsed?.family) {
        entry.fail();
        continue;
      }
      if (rule.family !== undefined && rule.family !== parsed.family) {
        ctx.error(value, path, `${option} ${value.text} is ${parsed.family} but the rule's other address is ${rule.family}: a rule is of one family`);
        entry.fail();
        continue;
      }
      rule.family = parsed.family;
      rule[option] = { address: parsed.address, prefixLength: parsed.prefixLength };
    } else if (option === 'table' || option === 'lookup') {
      entry.readValue(word, (value) => table(value, path, ctx), (number) => (rule.table = number));
    } else if (option === 'priority' || option === 'preference' || option === 'pref' || option === 'prio') {
      entry.readValue(word, (value) => ctx.integerWord(value, option, path, 0, U32_MAX), (priority) => (rule.priority = priority));
    } else if (option === 'iif' || option === 'dev') {
      const value = entry.value(word);
      if (value) rule.inputInterface = value.text;
    } else if (option === 'oif') {
      const value = entry.value(word);
      if (value) rule.outputInterface = value.text;
    } else if (option === 'fwmark') {
      const value = entry.value(word);
      if (!value) continue;
      const mark = fwmark(value.text);
      if (!mark) {
        ctx.error(value, path, `fwmark "${value.text}" is not valid: expected a number 0..4294967295 (decimal or 0x hex), optionally /MASK`);
        entry.fail();
        continue;
      }
      rule.fwmark = mark.mark;
      if (mark.mask !== undefined) rule.fwmask = mark.mask;
    } else if (option === 'no_track') {
      // keepalived: do not fault the instance when the rule's interface goes down; vrrpd never does.
    } else if (RULE_ACTIONS.has(option)) {
      ctx.warning(word, path, `rule action ${option} is not supported by vrrpd (only table lookups); this virtual_rules entry is left out`);
      return undefined;
    } else if (UNSUPPORTED_RULE_OPTIONS.has(option)) {
      const value = entry.value(word);
      if (value) ctx.warning(word, path, `rule option ${option} is not supported by vrrpd; "${option} ${value.text}" ignored`);
    } else {
      ctx.warning(word, path, `unknown virtual_rules option "${option}"; ignored`);
    }
  }
  if (!entry.ok) return undefined;
  if (rule.table === undefined) {
    ctx.error(words[0]!, path, 'this virtual_rules entry has no table: vrrpd installs rules that look up a routing table (table N)');
    return undefined;
  }
  if (rule.priority === undefined) {
    // keepalived numbers rules without one from 16384 downwards, in file order; so does vrrpd,
    // rather than leaving it to the kernel (which would put it after whatever rules exist).
    const priority = DEFAULT_RULE_PRIORITY - (defaultedRules.get(ctx) ?? 0);
    defaultedRules.set(ctx, (defaultedRules.get(ctx) ?? 0) + 1);
    ctx.warning(words[0]!, path, `this virtual_rules entry has no priority: ${priority} is used, as keepalived does; set one with priority N`);
    rule.priority = priority;
  }
  return { ...rule, table: rule.table };
}

/** `192.0.2.0/24`, a host, or `default` (family still open). */
function prefix(word: Word, what: string, path: string, ctx: LoadContext): { address: string; prefixLength: number; family?: AddressFamily } | undefined {
  if (word.text === 'default') return { address: '', prefixLength: 0 };
  const parsed = parseAddressWithPrefix(word.text);
  if ('error' in parsed) {
    ctx.error(word, path, `${what}: ${parsed.error}`);
    return undefined;
  }
  return parsed;
}

function hostAddress(word: Word, what: string, path: string, ctx: LoadContext): string | undefined {
  const parsed = parseAddressWithPrefix(word.text);
  if ('error' in parsed || word.text.includes('/')) {
    ctx.error(word, path, `${what} "${word.text}" is not an IPv4 or IPv6 address`);
    return undefined;
  }
  return parsed.address;
}

function familyOfAddress(address: string): AddressFamily | undefined {
  const parsed = parseAddressWithPrefix(address);
  return 'error' in parsed ? undefined : parsed.family;
}

function table(word: Word, path: string, ctx: LoadContext): number | undefined {
  const named = TABLE_NAMES[word.text] ?? (/^\d+$/.test(word.text) ? undefined : tableNumber(word.text));
  if (named !== undefined && named >= 1 && named <= U32_MAX) return named;
  if (!/^\d+$/.test(word.text)) {
    ctx.error(word, path, `table "${word.text}" is not valid: expected a table number 1..4294967295, main, default, local, or a name from ${RT_TABLES_PATHS[0]} on this host`);
    return undefined;
  }
  return ctx.integerWord(word, 'table', path, 1, U32_MAX);
}

function fwmark(text: string): { mark: number; mask?: number } | undefined {
  const [markText = '', maskText, extra] = text.split('/');
  if (extra !== undefined) return undefined;
  const number = (part: string): number | undefined => {
    const value = /^0x[0-9a-f]+$/i.test(part) ? parseInt(part.slice(2), 16) : /^\d+$/.test(part) ? Number(part) : NaN;
    return Number.isInteger(value) && value >= 0 && value <= U32_MAX ? value : undefined;
  };
  const mark = number(markText);
  const mask = maskText === undefined ? undefined : number(maskText);
  if (mark === undefined || (maskText !== undefined && mask === undefined)) return undefined;
  return mask === undefined ? { mark } : { mark, mask };
}

/** Settles the family of what could not tell it from its addresses: the instance's. */
export function withFamily<T extends { family: AddressFamily }>(drafts: readonly Draft<T>[], family: AddressFamily): T[] {
  return drafts.map((draft) => {
    const settled = draft.family ?? family;
    const extra = 'destination' in draft && draft.destination === '' ? { destination: settled === 'ipv4' ? '0.0.0.0' : '::' } : {};
    return { ...draft, ...extra, family: settled } as unknown as T;
  });
}

