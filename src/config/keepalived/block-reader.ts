// Reading one keepalived block's statements with its block type's keywords (keywords/): each
// statement to the keyword that knows it, unknown ones warned about with the nearest known
// spelling. The loader reads top-level blocks with it, nested blocks (authentication) read theirs.
import type { Keyword, Mutable } from '../keywords/registry.js';
import { nearest } from '../suggest.js';
import type { Statement } from './syntax.js';
import type { LoadContext } from './values.js';

/** The statements of a block, or an error saying the keyword needs one. */
export function blockOf(statement: Statement, ctx: LoadContext, path: string): readonly Statement[] {
  if (statement.children === undefined) {
    ctx.error(statement.keyword, path, `${statement.keyword.text} needs a { ... } block`);
    return [];
  }
  return statement.children;
}

export function unknownKeyword(statement: Statement, path: string, known: Iterable<string>, ctx: LoadContext): void {
  const suggestion = nearest(statement.keyword.text, known);
  ctx.warning(
    statement.keyword,
    path,
    `unknown keyword "${statement.keyword.text}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ignored`,
  );
}

/** keepalived spellings of a block type's keywords, each keyword's name before its aliases. */
export function spellings<M, C>(keywords: readonly Keyword<M, C>[]): string[] {
  return keywords.flatMap((keyword) => [keyword.name, ...keyword.aliases]);
}

/** A block type's keywords by spelling, and the spellings in order (for suggestions). */
interface Lookup<M, C> {
  readonly byName: ReadonlyMap<string, Keyword<M, C>>;
  readonly known: readonly string[];
}

const lookups = new WeakMap<object, Lookup<never, never>>();

function lookup<M, C>(keywords: readonly Keyword<M, C>[]): Lookup<M, C> {
  // Built once per block type, not once per block read.
  const known = lookups.get(keywords) as Lookup<M, C> | undefined;
  if (known) return known;
  const byName = new Map<string, Keyword<M, C>>();
  for (const keyword of keywords) for (const name of [keyword.name, ...keyword.aliases]) byName.set(name, keyword);
  const built: Lookup<M, C> = { byName, known: spellings(keywords) };
  lookups.set(keywords, built as unknown as Lookup<never, never>);
  return built;
}

/** What reading a block's body found out, for the block's own checks. */
export class BodyReader<M, C> {
  /** The fields the block's keywords filled (their derived defaults do not apply). */
  readonly fieldsSet = new Set<unknown>();
  private readonly byName: ReadonlyMap<string, Keyword<M, C>>;
  private readonly known: readonly string[];
  /** Per field, the statement of the last exclusive keyword read (garp_group's interface / interfaces). */
  private readonly exclusive = new Map<unknown, Statement>();

  constructor(
    private readonly keywords: readonly Keyword<M, C>[],
    /** The block's keyword, for messages (`garp_group: interfaces after interface`). */
    private readonly blockKeyword: string,
  ) {
    ({ byName: this.byName, known: this.known } = lookup(keywords));
  }

  /** Reads each statement into the model; `path` is the block's model path. */
  read(statements: readonly Statement[], model: Mutable<M>, path: string, ctx: LoadContext): void {
    for (const statement of statements) {
      const keyword = this.byName.get(statement.keyword.text);
      if (!keyword) {
        unknownKeyword(statement, path, this.known, ctx);
        continue;
      }
      const field = keyword.field;
      const before = field && keyword.exclusive ? this.exclusive.get(field) : undefined;
      if (!keyword.read(statement, model, { ctx, block: path, path: field ? `${path}.${field.path}` : path }, () => {
        // keepalived: one of them per block, whichever comes first.
        if (before) {
          const names = this.keywords.filter((other) => other.field === field && other.exclusive).map((other) => other.name);
          ctx.error(statement.keyword, path, `${this.blockKeyword}: ${statement.keyword.text} after ${before.keyword.text}; give one of ${names.join(' or ')} per block`);
        }
        if (field && keyword.exclusive) this.exclusive.set(field, statement);
      })) continue;
      this.fieldsSet.add(field);
    }
  }
}
