// The nftables state vrrpd wants, as data, and the transaction that gets the kernel from one state
// to the next. The Linux adapter feeds the text to `nft -f -`, which applies a file as one
// transaction: all of it or nothing. Rules are nft's own syntax (ruleset.ts writes them), so what
// `nft list ruleset` shows an operator is what is written here.

export type NftFamily = 'inet' | 'netdev';

/** The table's name in every family vrrpd uses: it says whose it is. */
export const TABLE_NAME = 'vrrpd_lb';

export interface NftChain {
  readonly name: string;
  /** A base chain's hook: `type nat hook prerouting priority dstnat; policy accept;`; absent for a regular chain. */
  readonly hook?: string;
  readonly rules: readonly string[];
}

/** A named set or map. */
export interface NftSet {
  readonly name: string;
  readonly kind: 'set' | 'map';
  /** What goes between the braces besides the elements: `type ipv4_addr : verdict; flags interval;`. */
  readonly definition: string;
  /**
   * The elements vrrpd keeps (key -> value, '' for a set), or `dynamic` for one the packet path
   * fills (persistence, DR flows): vrrpd never rewrites those, it only removes elements whose value
   * is not among `values` (a destination that left).
   */
  readonly elements: ReadonlyMap<string, string> | { readonly dynamic: true; readonly values: ReadonlySet<string> };
}

export interface NftCounter {
  readonly name: string;
  readonly comment?: string;
}

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
  readonly comment: string;
  readonly counters: readonly NftCounter[];
  readonly sets: readonly NftSet[];
  /** In an order the kernel accepts: a chain is created before a rule jumps to it. */
  readonly chains: readonly NftChain[];
}

/** Elements per `add element` command: nft reads a long line as fast, this keeps errors readable. */
const ELEMENTS_PER_COMMAND = 512;

function isDynamic(set: NftSet): boolean {
  return 'dynamic' in set.elements;
}

/** The elements vrrpd keeps in a set; none for a dynamic one. */
function kept(set: NftSet): ReadonlyMap<string, string> {
  return 'dynamic' in set.elements ? new Map() : (set.elements as ReadonlyMap<string, string>);
}

function elementText(set: NftSet, key: string, value: string): string {
  return set.kind === 'map' ? `${key} : ${value}` : key;
}

function quote(text: string): string {
  // nft strings cannot hold a double quote; vrrpd's own comments never need one.
  return `"${text.replace(/"/g, "'")}"`;
}

function counterText(counter: NftCounter): string {
  return counter.comment ? `{ comment ${quote(counter.comment)}; }` : '';
}

function elementCommands(verb: 'add' | 'delete', table: NftTable, set: NftSet, entries: ReadonlyArray<readonly [string, string]>): string[] {
  const commands: string[] = [];
  for (let start = 0; start < entries.length; start += ELEMENTS_PER_COMMAND) {
    const slice = entries.slice(start, start + ELEMENTS_PER_COMMAND);
    const items = verb === 'delete' ? slice.map(([key]) => key) : slice.map(([key, value]) => elementText(set, key, value));
    commands.push(`${verb} element ${table.family} ${table.name} ${set.name} { ${items.join(', ')} }`);
  }
  return commands;
}

function chainCommand(table: NftTable, chain: NftChain): string {
  return `add chain ${table.family} ${table.name} ${chain.name}${chain.hook ? ` { ${chain.hook} }` : ''}`;
}

function ruleCommands(table: NftTable, chain: NftChain): string[] {
  return chain.rules.map((rule) => `add rule ${table.family} ${table.name} ${chain.name} ${rule}`);
}

/**
 * The whole table, replacing whatever table of that name is there (a stale one left by a vrrpd
 * that was killed): `add` makes sure it exists, `delete` removes it with everything in it, and
 * the new one is built, all in one transaction.
 */
export function replaceTable(table: NftTable): string[] {
  const commands = [
    `add table ${table.family} ${table.name}`,
    `delete table ${table.family} ${table.name}`,
    `add table ${table.family} ${table.name} { comment ${quote(table.comment)}; }`,
  ];
  for (const counter of table.counters) commands.push(`add counter ${table.family} ${table.name} ${counter.name} ${counterText(counter)}`.trimEnd());
  for (const set of table.sets) commands.push(`add ${set.kind} ${table.family} ${table.name} ${set.name} { ${set.definition} }`);
  for (const chain of table.chains) commands.push(chainCommand(table, chain));
  for (const set of table.sets) if (!isDynamic(set)) commands.push(...elementCommands('add', table, set, [...kept(set)]));
  for (const chain of table.chains) commands.push(...ruleCommands(table, chain));
  return commands;
}

/** Removes the table, if it is there. */
export function deleteTable(family: NftFamily, name = TABLE_NAME): string[] {
  return [`add table ${family} ${name}`, `delete table ${family} ${name}`];
}

/**
 * The commands that turn `previous` (what vrrpd last applied) into `next`, touching only what
 * changed so that counters, dynamic maps (persistence, DR flows) and numgen positions of unchanged
 * chains survive. A change the kernel cannot make in place (a set's type, a base chain's hook)
 * replaces the whole table instead: `replaced` says so.
 */
export function updateTable(previous: NftTable, next: NftTable): { commands: string[]; replaced: boolean } {
  const before = {
    counters: new Map(previous.counters.map((counter) => [counter.name, counter])),
    sets: new Map(previous.sets.map((set) => [set.name, set])),
    chains: new Map(previous.chains.map((chain) => [chain.name, chain])),
  };
  const after = {
    sets: new Map(next.sets.map((set) => [set.name, set])),
    chains: new Map(next.chains.map((chain) => [chain.name, chain])),
    counters: new Map(next.counters.map((counter) => [counter.name, counter])),
  };
  const incompatible =
    previous.comment !== next.comment ||
    next.sets.some((set) => {
      const old = before.sets.get(set.name);
      return old !== undefined && (old.kind !== set.kind || old.definition !== set.definition || isDynamic(old) !== isDynamic(set));
    }) ||
    next.chains.some((chain) => {
      const old = before.chains.get(chain.name);
      return old !== undefined && old.hook !== chain.hook;
    }) ||
    next.counters.some((counter) => {
      const old = before.counters.get(counter.name);
      return old !== undefined && old.comment !== counter.comment;
    });
  if (incompatible) return { commands: replaceTable(next), replaced: true };

  const { family, name } = next;
  const commands: string[] = [];
  // 1. New objects, so that rules and elements below may refer to them.
  for (const counter of next.counters) if (!before.counters.has(counter.name)) commands.push(`add counter ${family} ${name} ${counter.name} ${counterText(counter)}`.trimEnd());
  for (const set of next.sets) if (!before.sets.has(set.name)) commands.push(`add ${set.kind} ${family} ${name} ${set.name} { ${set.definition} }`);
  for (const chain of next.chains) if (!before.chains.has(chain.name)) commands.push(chainCommand(next, chain));
  // 2. Elements that go or change value (a jump to a chain that goes must go before the chain).
  const additions: Array<readonly [NftSet, Array<readonly [string, string]>]> = [];
  for (const set of next.sets) {
    if (isDynamic(set)) continue;
    const old = before.sets.get(set.name);
    const oldElements = old ? kept(old) : new Map<string, string>();
    const elements = kept(set);
    const gone = [...oldElements].filter(([key, value]) => elements.get(key) !== value);
    const added = [...elements].filter(([key, value]) => oldElements.get(key) !== value);
    commands.push(...elementCommands('delete', next, set, gone));
    if (added.length > 0) additions.push([set, added]);
  }
  // 3. Chains whose rules changed, and chains that go, are emptied; the changed ones refilled.
  for (const chain of next.chains) {
    const old = before.chains.get(chain.name);
    const changed = old === undefined || old.rules.length !== chain.rules.length || old.rules.some((rule, index) => rule !== chain.rules[index]);
    if (!changed) continue;
    if (old !== undefined && old.rules.length > 0) commands.push(`flush chain ${family} ${name} ${chain.name}`);
    commands.push(...ruleCommands(next, chain));
  }
  for (const chain of previous.chains) if (!after.chains.has(chain.name)) commands.push(`flush chain ${family} ${name} ${chain.name}`);
  // 4. New elements, now that the chains they jump to exist.
  for (const [set, added] of additions) commands.push(...elementCommands('add', next, set, added));
  // 5. What is no longer referred to goes: chains (regular ones first), sets, counters.
  const goneChains = previous.chains.filter((chain) => !after.chains.has(chain.name));
  for (const chain of [...goneChains.filter((c) => !c.hook), ...goneChains.filter((c) => c.hook)]) commands.push(`delete chain ${family} ${name} ${chain.name}`);
  for (const set of previous.sets) if (!after.sets.has(set.name)) commands.push(`delete ${set.kind} ${family} ${name} ${set.name}`);
  for (const counter of previous.counters) if (!after.counters.has(counter.name)) commands.push(`delete counter ${family} ${name} ${counter.name}`);
  return { commands, replaced: false };
}

/**
 * The elements of a dynamic map (persistence, DR flows) whose value is no longer allowed, as
 * delete commands: a destination that left takes its clients with it, as IPVS invalidates
 * persistence templates pointing at a removed destination.
 */
export function purgeCommands(table: NftTable, set: NftSet, elements: ReadonlyArray<{ readonly key: string; readonly value: string }>): string[] {
  if (!('dynamic' in set.elements)) return [];
  const allowed = set.elements.values;
  const gone = elements.filter((element) => !allowed.has(element.value)).map((element) => [element.key, element.value] as const);
  return elementCommands('delete', table, set, gone);
}

/** The dynamic sets of `next` that lost allowed values since `previous` (their elements need a purge). */
export function setsToPurge(previous: NftTable | undefined, next: NftTable): NftSet[] {
  const before = new Map((previous?.sets ?? []).map((set) => [set.name, set]));
  return next.sets.filter((set) => {
    if (!('dynamic' in set.elements)) return false;
    const old = before.get(set.name);
    if (!old || !('dynamic' in old.elements)) return false;
    const allowed = set.elements.values;
    return [...old.elements.values].some((value) => !allowed.has(value));
  });
}
