// The keyword registry's vocabulary. A block type (global_defs, vrrp_instance, ...) is a list of
// keywords; each keyword says once how keepalived spells it, its YAML key, the model field it
// fills and how its words are read and written (its kind, kinds.ts). A field says its model path
// (for file:line:column positions), its default and, in blocks a reload compares, its reload
// effect. The keepalived loader, the YAML translator, both writers, DEFAULTS and reload planning
// are engines over these declarations: a new keyword or block type is a declaration, not an edit
// to them.
import type { Statement } from '../keepalived/syntax.js';
import type { LoadContext } from '../keepalived/values.js';

export type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `keyword args... { children }` as the writers produce it; children undefined for a line without a block. */
export interface Entry {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly children?: readonly Entry[];
}

/** Where a keyword is read: the loader's context, the model path of its value and of its block. */
export interface ReadAt {
  readonly ctx: LoadContext;
  /** The value's model path, `instances[VI_1].priority`: issues and positions are recorded under it. */
  readonly path: string;
  /** The block's model path, `instances[VI_1]`. */
  readonly block: string;
}

/** How one keyword's words become a value and back: integer, seconds, flag, a list of entries... */
export interface Kind<V> {
  /** The statement's value, or undefined when it sets nothing (what was wrong is reported). `current`: the value so far. */
  read(statement: Statement, at: ReadAt, current: V | undefined): V | undefined;
  /**
   * What keepalived.conf says for a value after the keyword: words or a block; a list: the keyword
   * said once per item (a repeated block, `real_server`); undefined: this keyword does not say it.
   */
  write(value: V): Written | readonly Written[] | undefined;
  /** How a YAML value becomes this keyword's statement (yaml-forms.ts). */
  readonly yaml: YamlForm;
  /** Values this kind can say, for the test that walks every keyword (one of them differs from any default). */
  examples(): readonly V[];
}

export interface Written {
  readonly args: readonly string[];
  readonly children?: readonly Entry[];
}

/**
 * What a reload does with a running instance when a field changes:
 * - `in-place`: the running router takes the new value at once (a Master stays Master); the instance is updated.
 * - `restart`: it needs a stop (priority 0 if Master) and a fresh start: a new socket, address ownership.
 * - `next-start`: the running router keeps what it started with; the value applies when it next starts.
 * - `rebuilt`: taken from the new configuration by what every reload rebuilds anyway (tracking, notify
 *   scripts, announcement pacing, the router's binding); the router itself is not touched.
 * - `unused`: vrrpd reads it (keepalived compatibility) but nothing running depends on it.
 * Only `in-place` and `restart` changes are reported; the others leave an instance unchanged.
 */
export type ReloadEffect = 'in-place' | 'restart' | 'next-start' | 'rebuilt' | 'unused';

export interface Reload<M, V> {
  /** The effect of a change, which may depend on the values (priority crossing 255). */
  effect(before: V, after: V): ReloadEffect;
  /** What a running router sees of the value; two values it sees alike are no change. */
  seen(value: V, model: M): unknown;
}

/** A field's default: none (optional, or required and set by the block's `create`), a value, or one computed. */
export type Default<M, C, V> =
  | { readonly kind: 'none' }
  | { readonly kind: 'value'; readonly value: V }
  /** From the context the block inherits from (an instance's from global_defs). */
  | { readonly kind: 'inherited'; from(context: C): V }
  /** From the block's other fields once it is read (a vrrp_script's timeout is its interval). */
  | { readonly kind: 'derived'; from(model: M, context: C): V };

/** A place in a block's model that keywords fill. Keywords that fill one field share its object. */
export interface Field<M, C, V> {
  /** Model path below the block's (`priority`, `garp.masterDelayMs`): issues and positions use it. */
  readonly path: string;
  /** The model's top-level keys it fills (`weight` and `reverse` for `weight N reverse`). */
  readonly keys: readonly string[];
  /** The name a reload reports for a field no keyword fills (else the first keyword's name). */
  readonly name?: string;
  get(model: M): V;
  set(model: Mutable<M>, value: V): void;
  readonly default: Default<M, C, V>;
  readonly reload?: Reload<M, V>;
}

export type AnyField<M, C> = Field<M, C, unknown>;
export type ReloadableField<M, C> = AnyField<M, C> & { readonly reload: Reload<M, unknown> };

/**
 * How a YAML value becomes a keyword's keepalived statement (the YAML translator reads these; the
 * YAML writer turns a written entry back by the same form).
 */
export type YamlForm =
  /** One word: `priority: 100`. */
  | { readonly kind: 'scalar' }
  /** Words: `scriptUser: nobody nogroup`. */
  | { readonly kind: 'words' }
  /** true: the bare keyword; false: nothing (`nopreempt: true`). */
  | { readonly kind: 'flag' }
  /** true: the bare keyword; false: the keyword with `false` (keepalived's optional <BOOL>). */
  | { readonly kind: 'bool' }
  /** A command line, or `{script: COMMAND LINE, user: USER [GROUP]}`. */
  | { readonly kind: 'script' }
  /** A boolean that chooses between two keywords (Deckhouse's `preempt: false` is `nopreempt`). */
  | { readonly kind: 'choice'; readonly whenTrue: string; readonly whenFalse: string }
  /** A word, or true for the bare keyword (`useVmac: vrrp51` / `useVmac: true`). */
  | { readonly kind: 'word-or-flag' }
  /** A script, or true for the bare keyword (`notifyDeleted`). */
  | { readonly kind: 'script-or-flag' }
  /** A list of `head [option value]...` entries: strings as keepalived writes them, or mappings. */
  | { readonly kind: 'entries'; readonly head: 'name' | 'address'; readonly keys: Readonly<Record<string, 'value' | 'reverse'>> }
  /** virtual_ipaddress entries: strings, or `{address, interface, label, ...}` with interface detection. */
  | { readonly kind: 'addresses'; readonly decidesFamily: boolean }
  /** A list of lines as keepalived writes them inside the block (virtual_routes). */
  | { readonly kind: 'lines' }
  /** A list of names, one a line in keepalived (`group`, `interfaces`); `what` names one in messages. */
  | { readonly kind: 'names'; readonly what: string }
  /** A mapping of the nested block's keywords (`authentication: {authType: PASS, authPass: x}`). */
  | { readonly kind: 'block'; readonly block: NestedBlock<object, unknown> }
  /**
   * A keyword said once per nested block, any number of times (a checker's `url { }`): a list of
   * mappings of the block's keywords (`urls: [{path: /readyz}]`); one mapping is a list of one.
   */
  | {
      readonly kind: 'blocks';
      readonly block: NestedBlock<object, unknown>;
      readonly header?: YamlHeader;
      /** Mostly one a block (a real server's checker): one is written as a mapping, as a vrrp_script's checker. */
      readonly alone?: boolean;
    }
  /** An interface name, or Deckhouse's `{detectionStrategy: Name|NetworkAddress|DefaultRoute, ...}`. */
  | { readonly kind: 'interface' }
  /** A weight that a `reverse: true` key of the same mapping qualifies (keepalived: `weight N reverse`). */
  | { readonly kind: 'weight' };

/**
 * A block's header words (after its keyword) as keys of its YAML mapping, for a block whose header
 * is more than a name: `real_server 198.51.100.11 80` is `{address: 198.51.100.11, port: 80}`.
 * Alternatives, each a list of keys: the first whose first key the mapping has says the words.
 */
export type YamlHeader = readonly (readonly HeaderKey[])[];

export interface HeaderKey {
  readonly key: string;
  /** The key is said as a word before its value: `fwmark: 5` is `fwmark 5`. Else its value alone. */
  readonly tagged?: boolean;
}

/** The YAML key that qualifies a `weight` form's weight (`reverse: true` is keepalived's `weight N reverse`). */
export const REVERSE_KEY = 'reverse';

/** A YAML key of a keyword, how its value reads and the keepalived spelling it stands for. */
export interface YamlKey {
  readonly key: string;
  readonly form: YamlForm;
  /** The keyword's name, or the alias this key is the camelCase of (`vrrpNotifyFifo`: `vrrp_notify_fifo`). */
  readonly spelling: string;
}

/** One keepalived keyword of a block type, with everything the engines need to know about it. */
export interface Keyword<M, C, F extends AnyField<M, C> = AnyField<M, C>> {
  /** keepalived's name: the one the writer uses and a reload reports. */
  readonly name: string;
  /** Other keepalived spellings of the same keyword (`vrrp_notify_fifo`, `no_preempt`). */
  readonly aliases: readonly string[];
  /** Its YAML keys, the first the one the YAML writer uses; none: keepalived.conf only. */
  readonly yaml: readonly YamlKey[];
  /** The field it fills; none for keywords accepted and ignored. */
  readonly field: F | undefined;
  /** Excludes the other exclusive keywords of its field in one block (garp_group's interface / interfaces). */
  readonly exclusive: boolean;
  /**
   * Reads the statement into the model; true when it set the field. `accepted` runs once the value
   * is read, before it is stored (the block's checks between keywords).
   */
  read(statement: Statement, model: Mutable<M>, at: ReadAt, accepted?: () => void): boolean;
  /** What the writer says for this model (nothing when the field holds its default); a list: a repeated block. */
  write(model: M, context: C): Entry | readonly Entry[] | undefined;
  /** What this keyword says for the model's value, default or not (nothing when it cannot say it). */
  say(model: M): Entry | readonly Entry[] | undefined;
  /** Copies of `model` with each value the keyword can say that differs from the model's (for tests). */
  examples(model: M): M[];
}

/** A block inside a block (`authentication { ... }`): keywords over a draft, finished into the value. */
export interface NestedBlock<D, V> {
  readonly keywords: readonly Keyword<D, undefined>[];
  /** The value from the draft, checking what only the whole block can tell; undefined: none (reported). */
  finish(draft: Mutable<D>, statement: Statement, at: ReadAt): V | undefined;
  /** The draft a value writes back as. */
  draft(value: V): D;
}

/** How a block type's blocks are named: `vrrp_script NAME`, counted (`garp_group`), or one merged (`global_defs`). */
export type Naming = 'named' | 'counted' | 'merged';

/** Where a block type's blocks are in a YAML file. */
export type YamlLayout =
  /** One mapping (`global:`). */
  | { readonly kind: 'single'; readonly key: string }
  /** A mapping of name to body (`vrrpScripts: {chk: {...}}`); `what` names a body in messages. */
  | { readonly kind: 'named'; readonly key: string; readonly aliases?: readonly string[]; what(name: string): string }
  /** A list of bodies naming themselves (`vrrpInstances: [{name: VI_1, ...}]`). */
  | {
      readonly kind: 'list';
      readonly key: string;
      /** The key that names an entry (not a keyword). */
      readonly nameKey: string;
      /** The name of an entry, from the text of the first of some keys it has (without reporting anything). */
      name(text: (...keys: string[]) => string | undefined, index: number): string;
      /** Also read in the spec of a Deckhouse KeepalivedInstance manifest. */
      readonly inManifest: boolean;
    }
  /** A list of anonymous bodies (`garpGroups: [{...}]`); `header`: the keys that say the block's header words. */
  | { readonly kind: 'counted'; readonly key: string; readonly header?: YamlHeader };

/** Finishing a block once its keywords are read. */
export interface Finishing<C> {
  readonly at: ReadAt;
  /** The block's statement (its keyword carries its position). */
  readonly statement: Statement;
  readonly context: C;
}

/** A setting of the context (global_defs) that a running block uses directly, without a copy in its model. */
export interface ContextUse<M, C> {
  readonly field: AnyField<C, undefined>;
  /** Whether a block uses it (multicast IPv4 instances use vrrp_mcast_group4). */
  concerns(model: M): boolean;
  readonly effect: ReloadEffect;
}

/** A keepalived block type and its keywords. C: what it inherits from (global_defs for all but global_defs). */
export interface BlockType<M, C, F extends AnyField<M, C> = AnyField<M, C>> {
  /** keepalived's block keyword (`vrrp_instance`), and older spellings (`vrrp_track_file`). */
  readonly keyword: string;
  readonly aliases: readonly string[];
  /** Its key in VrrpdConfig (`instances`), also the root of its blocks' model paths (`instances[VI_1]`). */
  readonly collection: string;
  /** Left out of VrrpdConfig when there is none (garpGroups). */
  readonly optional?: boolean;
  readonly naming: Naming;
  readonly yaml: YamlLayout;
  /** In file order; the writer writes in this order. */
  readonly keywords: readonly Keyword<M, C, F>[];
  /** Fields no keyword fills (an instance's name and family): their defaults and reload effects. */
  readonly fields: readonly F[];
  /** Settings of the context its running blocks use directly (a reload compares them too). */
  readonly uses?: readonly ContextUse<M, C>[];
  /** A new block's model before its keywords: what it must have besides the fields' defaults. */
  create(name: string, context: C): Mutable<M>;
  /** Checks and completes a block once read; false leaves it out of the model (reported). */
  finish?(model: Mutable<M>, finishing: Finishing<C>): boolean;
  /**
   * A block whose lines are entries rather than keywords (virtual_server_group): reads them instead
   * of its keywords. In YAML its body is a list of those lines; `writeBody` says them back.
   */
  readBody?(statements: readonly Statement[], model: Mutable<M>, at: ReadAt): void;
  writeBody?(model: M): readonly Entry[];
  /** The words after the keyword of a block whose header is more than a name (`virtual_server 192.0.2.1 80`); `finish` reads them. */
  header?(model: M): readonly string[];
}

export type AnyBlockType<C> = BlockType<object, C>;

const fieldLists = new WeakMap<object, readonly unknown[]>();

/** Every field of a block type: the keywords' (each once, in keyword order) and the keyword-less ones. */
export function fieldsOf<M, C, F extends AnyField<M, C>>(type: { readonly keywords: readonly Keyword<M, C, F>[]; readonly fields: readonly F[] }): readonly F[] {
  // Asked for each block read: worked out once per block type.
  const known = fieldLists.get(type) as readonly F[] | undefined;
  if (known) return known;
  const fields = new Set<F>();
  for (const keyword of type.keywords) if (keyword.field) fields.add(keyword.field);
  for (const field of type.fields) fields.add(field);
  const list = [...fields];
  fieldLists.set(type, list);
  return list;
}

/** The value a field holds when nothing sets it, for a model and its context; undefined for 'none'. */
export function defaultValue<M, C, V>(field: Field<M, C, V>, model: M, context: C): V | undefined {
  const spec = field.default;
  if (spec.kind === 'value') return spec.value;
  if (spec.kind === 'inherited') return spec.from(context);
  if (spec.kind === 'derived') return spec.from(model, context);
  return undefined;
}

/** keepalived keyword -> YAML key: `advert_int` -> `advertInt`. */
export function camelCase(keyword: string): string {
  return keyword.replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());
}

/** A new block's model: what `create` makes, then every field's value or inherited default. */
export function newModel<M, C>(type: BlockType<M, C>, name: string, context: C): Mutable<M> {
  const model = type.create(name, context);
  for (const field of fieldsOf(type)) {
    const spec = field.default;
    if (spec.kind === 'value') field.set(model, spec.value);
    else if (spec.kind === 'inherited') field.set(model, spec.from(context));
  }
  return model;
}

/** Completes a block once read: each derived default whose field no keyword set (`set`: the fields set). */
export function completeModel<M, C>(type: BlockType<M, C>, model: Mutable<M>, context: C, set: ReadonlySet<unknown>): void {
  for (const field of fieldsOf(type)) {
    const spec = field.default;
    if (spec.kind === 'derived' && !set.has(field)) field.set(model, spec.from(model, context));
  }
}

/** What a block's keywords write for its model, in keyword order (keywords adding to one list: in the list's order). */
export function writeKeywords<M, C>(keywords: readonly Keyword<M, C>[], model: M, context: C): Entry[] {
  const written = new Set<unknown>();
  return keywords.flatMap((keyword) => {
    const sharing = keywords.filter((other) => other.field !== undefined && other.field === keyword.field && !other.exclusive);
    if (keyword.exclusive || sharing.length < 2) return keyword.write(model, context) ?? [];
    if (written.has(keyword.field)) return [];
    written.add(keyword.field);
    return inOrder(sharing, model, context);
  });
}

/**
 * Keywords that each add to one list (a real server's checker blocks, a virtual server's flags):
 * the items in the list's order, each said by the keyword that says it, so that reading them back
 * makes the same list (written keyword by keyword, an HTTP_GET after a MISC_CHECK would come first).
 */
function inOrder<M, C>(sharing: readonly Keyword<M, C>[], model: M, context: C): Entry[] {
  const field = sharing[0]!.field!;
  const list = field.get(model);
  if (!Array.isArray(list)) return sharing.flatMap((keyword) => keyword.write(model, context) ?? []);
  return list.flatMap((item: unknown) => {
    const one = { ...model };
    field.set(one, [item]);
    for (const keyword of sharing) {
      const said = [keyword.write(one, context) ?? []].flat();
      if (said.length > 0) return said;
    }
    return [];
  });
}
