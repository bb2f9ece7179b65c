// Declaring fields and keywords (registry.ts says what they are). A block type's file uses
// `declare<Model, Context>()` and lists its keywords with it:
//   keyword('priority', integer(1, 255), key('priority', { default: 100, reload: 'in-place' }))
import { equalValues } from '../../core/equal.js';
import type { Statement } from '../keepalived/syntax.js';
import {
  camelCase,
  defaultValue,
  type Default,
  type AnyField,
  type Entry,
  type Field,
  type Keyword,
  type Kind,
  type Mutable,
  type ReadAt,
  type Reload,
  type ReloadEffect,
  type Written,
  type YamlForm,
  type YamlKey,
} from './registry.js';

/** A default computed from what the block inherits (an instance's from global_defs). */
export class Inherited<C, V> {
  constructor(readonly from: (context: C) => V) {}
}

/** A default computed from the block's other fields once it is read. */
export class Derived<M, C, V> {
  constructor(readonly from: (model: M, context: C) => V) {}
}

/** The value a field holds. */
type ValueOf<F> = F extends Field<infer _M, infer _C, infer V> ? V : never;

export type DefaultOption<M, C, V> = V | Inherited<C, V> | Derived<M, C, V>;

/** A reload effect, or one that depends on the values; `seen`: what of the value a running router uses. */
export type ReloadOption<M, V> =
  | ReloadEffect
  | { readonly effect: ReloadEffect | ((before: V, after: V) => ReloadEffect); readonly seen?: (value: V, model: M) => unknown };

export interface FieldOptions<M, C, V> {
  /** Absent: no default (optional, or required and made by the block's `create`). */
  readonly default?: DefaultOption<M, C, V>;
  readonly reload?: ReloadOption<M, V>;
  /** The name a reload reports, for a field no keyword fills. */
  readonly name?: string;
  /** The model's top-level keys it fills, when more than its path's. */
  readonly keys?: readonly string[];
}

/** A field whose options say its reload effect has one (the type blocks that reload compare ask for). */
export type FieldFor<M, C, V, O> = O extends { readonly reload: ReloadOption<M, V> } ? Field<M, C, V> & { readonly reload: Reload<M, V> } : Field<M, C, V>;

export interface KeywordOptions<M, V> {
  /** Other keepalived spellings. */
  readonly aliases?: readonly string[];
  /**
   * YAML: false for keepalived.conf only; else the key (default: camelCase of the name), its
   * aliases and its form (default: the kind's).
   */
  readonly yaml?: false | { readonly key?: string; readonly aliases?: readonly string[]; readonly form?: YamlForm };
  /** Unless given: written when the field differs from its default. */
  readonly write?: 'always' | 'never' | ((value: V, model: M) => boolean);
  /** One of the exclusive keywords of its field per block. */
  readonly exclusive?: boolean;
  /** Runs after the keyword is read (vrrp_strict warns). */
  readonly afterRead?: (model: M, statement: Statement, at: ReadAt) => void;
  /** Values for the test that walks every keyword, when the kind's do not suit this keyword. */
  readonly examples?: readonly V[];
}

function defaultOf<M, C, V>(option: DefaultOption<M, C, V> | undefined, hasDefault: boolean): Default<M, C, V> {
  if (!hasDefault) return { kind: 'none' };
  if (option instanceof Inherited) return { kind: 'inherited', from: (option as Inherited<C, V>).from };
  if (option instanceof Derived) return { kind: 'derived', from: (option as Derived<M, C, V>).from };
  return { kind: 'value', value: option as V };
}

function reloadOf<M, V>(option: ReloadOption<M, V> | undefined): Reload<M, V> | undefined {
  if (option === undefined) return undefined;
  const spec = typeof option === 'string' ? { effect: option } : option;
  const effect = spec.effect;
  return {
    effect: (before, after) => (typeof effect === 'function' ? effect(before, after) : effect),
    seen: (value, model) => (spec.seen ? spec.seen(value, model) : value),
  };
}

/** The declaring functions for the keywords of a block whose model is M and which inherits from C. */
export function declare<M, C>() {
  /** A field at any path, with its own getter and setter (`garp.masterDelayMs`, a notify script). */
  function field<V, O extends FieldOptions<M, C, V>>(path: string, get: (model: M) => V, set: (model: Mutable<M>, value: V) => void, options?: O): FieldFor<M, C, V, O> {
    const reload = reloadOf(options?.reload);
    return {
      path,
      keys: options?.keys ?? [path.split('.')[0]!],
      ...(options?.name !== undefined ? { name: options.name } : {}),
      get,
      set,
      default: defaultOf(options?.default, options !== undefined && 'default' in options),
      ...(reload ? { reload } : {}),
    } as FieldFor<M, C, V, O>;
  }

  /** A top-level field of the model. */
  function key<K extends keyof M & string, O extends FieldOptions<M, C, M[K]>>(name: K, options?: O): FieldFor<M, C, M[K], O> {
    return field<M[K], O>(name, (model) => model[name], (model, value) => void ((model as M)[name] = value), options);
  }

  /** Several top-level fields filled together (`weight N reverse`): only what the kind read is set. */
  function keys<K extends keyof M & string, O extends FieldOptions<M, C, Partial<Pick<M, K>>>>(names: readonly K[], options?: O): FieldFor<M, C, Partial<Pick<M, K>>, O> {
    return field<Partial<Pick<M, K>>, O>(
      names[0]!,
      (model) => Object.fromEntries(names.map((name) => [name, model[name]])) as Pick<M, K>,
      (model, value) => {
        for (const name of names) if (value[name] !== undefined) (model as M)[name] = value[name] as M[K];
      },
      { ...options, keys: names } as unknown as O,
    );
  }

  /** A field of an object the model holds (`garp.masterDelayMs`). */
  function inside<P extends keyof M & string, K extends keyof M[P] & string, O extends FieldOptions<M, C, M[P][K]>>(parent: P, name: K, options?: O): FieldFor<M, C, M[P][K], O> {
    return field<M[P][K], O>(
      `${parent}.${name}`,
      (model) => model[parent]?.[name] as M[P][K],
      (model, value) => void ((model as M)[parent] = { ...(model as M)[parent], [name]: value }),
      options,
    );
  }

  /** A keyword whose kind reads what its field holds (an optional field also holds undefined). */
  function keyword<F extends AnyField<M, C>>(name: string, kind: Kind<ValueOf<F>> | Kind<NonNullable<ValueOf<F>>>, target: F, options: KeywordOptions<M, ValueOf<F>> = {}): Keyword<M, C, F> {
    // F is a Field holding ValueOf<F>; the kind reads that (or, for an optional field, that but undefined).
    return build<M, C, ValueOf<F>>(name, kind as Kind<ValueOf<F>>, target as unknown as Field<M, C, ValueOf<F>>, options) as unknown as Keyword<M, C, F>;
  }

  /** A keyword that fills no field: accepted and ignored, or warned about. */
  function accepted(name: string, kind: Kind<undefined>, options: KeywordOptions<M, undefined> = {}): Keyword<M, C, never> {
    return build<M, C, undefined>(name, kind, undefined, options) as Keyword<M, C, never>;
  }

  return { field, key, keys, inside, keyword, accepted };
}

function yamlKeys(name: string, aliases: readonly string[], form: YamlForm, option: KeywordOptions<unknown, unknown>['yaml']): YamlKey[] {
  if (option === false) return [];
  const spec = (option ?? {}) as { readonly key?: string; readonly aliases?: readonly string[]; readonly form?: YamlForm };
  const keyForm = spec.form ?? form;
  // A YAML alias spelled like a keepalived alias stands for that spelling (messages name it).
  const spelling = (key: string): string => aliases.find((alias) => camelCase(alias) === key) ?? name;
  return [spec.key ?? camelCase(name), ...(spec.aliases ?? [])].map((key) => ({ key, form: keyForm, spelling: spelling(key) }));
}

function build<M, C, V>(name: string, kind: Kind<V>, target: Field<M, C, V> | undefined, options: KeywordOptions<M, V>): Keyword<M, C> {
  const write = options.write;
  return {
    name,
    aliases: options.aliases ?? [],
    yaml: yamlKeys(name, options.aliases ?? [], kind.yaml, options.yaml as KeywordOptions<unknown, unknown>['yaml']),
    field: target,
    exclusive: options.exclusive ?? false,
    read(statement, model, at, accepted) {
      const value = kind.read(statement, at, target?.get(model as M));
      if (value !== undefined) {
        accepted?.();
        target?.set(model, value);
      }
      options.afterRead?.(model as M, statement, at);
      return value !== undefined && target !== undefined;
    },
    write(model, context) {
      if (!target || write === 'never') return undefined;
      const value = target.get(model);
      if (typeof write === 'function' ? !write(value, model) : write !== 'always' && equalValues(value, defaultValue<M, C, unknown>(target, model, context))) return undefined;
      return this.say(model);
    },
    say(model) {
      const value = target?.get(model);
      // An absent value says nothing (an optional field left out).
      if (value === undefined) return undefined;
      const written = kind.write(value);
      const entry = (words: Written): Entry => ({ keyword: name, args: words.args, ...(words.children ? { children: words.children } : {}) });
      if (written === undefined) return undefined;
      return isList(written) ? written.map(entry) : entry(written);
    },
    examples(model) {
      if (!target) return [];
      const current = target.get(model);
      return (options.examples ?? kind.examples())
        .filter((value) => !equalValues(value, current))
        .map((value) => {
          const copy = structuredClone(model) as Mutable<M>;
          target.set(copy, value);
          return copy as M;
        });
    },
  };
}

/** A kind's writing of a repeated block: one Written per item. */
function isList(written: Written | readonly Written[]): written is readonly Written[] {
  return Array.isArray(written);
}
