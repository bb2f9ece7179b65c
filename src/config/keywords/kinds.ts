// How keywords' words read and write: the value kinds the registry's keywords are made of. Each
// kind reads keepalived words (every problem an issue at the word's position, worded as keepalived
// users know it), says a value back as words, names its YAML form, and gives example values for
// the test that walks every keyword. Lists of entries are in entries.ts.
import { parseAddressWithPrefix } from '../addresses.js';
import { blockOf, BodyReader } from '../keepalived/block-reader.js';
import type { Statement } from '../keepalived/syntax.js';
import { equalValues } from '../../core/equal.js';
import { writeKeywords, type Entry, type Keyword, type Kind, type Mutable, type NestedBlock, type ReadAt, type Written, type YamlForm, type YamlHeader } from './registry.js';

export const SCALAR: YamlForm = { kind: 'scalar' };
export const WORDS: YamlForm = { kind: 'words' };
export const FLAG: YamlForm = { kind: 'flag' };
export const BOOL: YamlForm = { kind: 'bool' };
export const SCRIPT: YamlForm = { kind: 'script' };

const words = (...args: readonly string[]): Written => ({ args });

/** A whole number min..max; `bare`: the value of the keyword without one (max_auto_priority). */
export function integer<N extends number = number>(min: number, max: number, options: { readonly bare?: N; readonly examples?: readonly N[] } = {}): Kind<N> {
  return {
    read: (statement, at) => {
      if (options.bare !== undefined && !statement.args[0]) return options.bare;
      // The range is the kind's; a value in it is one of N (a narrower type only where the range says so).
      return at.ctx.integer(statement, at.path, min, max) as N | undefined;
    },
    write: (value) => words(String(value)),
    yaml: SCALAR,
    examples: () => options.examples ?? ([Math.trunc((min + max) / 2), min, max] as N[]),
  };
}

/** Seconds with decimals as keepalived writes them, milliseconds in the model; 0..max seconds. */
export function seconds(maxSeconds: number): Kind<number> {
  return {
    read: (statement, at) => at.ctx.seconds(statement, at.path, maxSeconds),
    write: (ms) => words(String(ms / 1000)),
    yaml: SCALAR,
    examples: () => [Math.min(2000, maxSeconds * 500), maxSeconds * 1000],
  };
}

/**
 * Milliseconds with up to three decimals (microseconds), min..max: BFD's intervals, which
 * keepalived reads as `min_rx 3.312`. The model keeps milliseconds.
 */
export function milliseconds(min: number, max: number, examples: readonly number[]): Kind<number> {
  return {
    read: (statement, at) => {
      const word = at.ctx.argument(statement, at.path, `milliseconds ${min}..${max}`);
      if (!word) return undefined;
      const value = /^\d+(\.\d{1,3})?$/.test(word.text) ? Number(word.text) : NaN;
      if (!Number.isFinite(value) || value < min || value > max) {
        at.ctx.error(word, at.path, `${statement.keyword.text} "${word.text}" is not valid: expected milliseconds ${min}..${max} (at most 3 decimals: microseconds)`);
        return undefined;
      }
      return value;
    },
    write: (ms) => words(String(ms)),
    yaml: SCALAR,
    examples: () => examples,
  };
}

/**
 * keepalived's optional <BOOL> (absent: true). `bare` writes true as the keyword alone and false
 * as `false`; `explicit` writes either (an instance overriding what global_defs says).
 */
export function flag(written: 'bare' | 'explicit' = 'bare'): Kind<boolean> {
  return {
    read: (statement, at) => at.ctx.flag(statement, at.path),
    write: (value) => (written === 'explicit' ? words(String(value)) : value ? words() : words('false')),
    yaml: BOOL,
    examples: () => [true, false],
  };
}

/** A keyword whose presence is the value (`nopreempt`: preempt false); what follows it is ignored, as keepalived does. */
export function present<V>(value: V, yaml: YamlForm = FLAG): Kind<V> {
  return {
    read: () => value,
    write: (current) => (equalValues(current, value) ? words() : undefined),
    yaml,
    examples: () => [value],
  };
}

/** One word; `what` completes "needs ..." when it is missing. */
export function word(what: string, examples: readonly string[]): Kind<string> {
  return {
    read: (statement, at) => at.ctx.argument(statement, at.path, what)?.text,
    write: (value) => words(value),
    yaml: SCALAR,
    examples: () => examples,
  };
}

/** An IP address, kept in canonical form. */
export function address(examples: readonly string[]): Kind<string> {
  return {
    read: (statement, at) => {
      const word = at.ctx.argument(statement, at.path, 'an address');
      if (!word) return undefined;
      const parsed = parseAddressWithPrefix(word.text);
      if ('error' in parsed) {
        at.ctx.error(word, at.path, parsed.error);
        return undefined;
      }
      return parsed.address;
    },
    write: (value) => words(value),
    yaml: SCALAR,
    examples: () => examples,
  };
}

/** One of some words (`state MASTER|BACKUP`); `upper`: case does not matter. */
export function oneOf<T extends string>(values: readonly T[], what: string, options: { readonly upper?: boolean } = {}): Kind<T> {
  return {
    read: (statement, at) => {
      const word = at.ctx.argument(statement, at.path, what);
      if (!word) return undefined;
      const text = options.upper ? word.text.toUpperCase() : word.text;
      const value = values.find((candidate) => candidate === text);
      if (value === undefined) at.ctx.error(word, at.path, `${statement.keyword.text} "${word.text}" is not valid: expected ${what}`);
      return value;
    },
    write: (value) => words(value),
    yaml: SCALAR,
    examples: () => values,
  };
}

/** `USER [GROUP]`, kept as written ("haproxy haproxy"); resolved when scripts start. */
export const userAndGroup: Kind<string> = {
  read: (statement, at) => {
    const user = at.ctx.argument(statement, at.path, 'a user name');
    if (!user) return undefined;
    const group = statement.args[1];
    return group ? `${user.text} ${group.text}` : user.text;
  },
  write: (value) => words(value),
  yaml: WORDS,
  examples: () => ['nobody nogroup', 'nobody'],
};

/** A command line and who runs it. */
export interface Command {
  readonly command: string;
  readonly user?: string;
}

/**
 * A script: `notify_master <SCRIPT>|"<COMMAND LINE>" [username [groupname]]`. The first word
 * (quoted when it has arguments) is the command; what follows is the user (and group) to run it as.
 */
export function readCommand(statement: Statement, at: ReadAt): Command | undefined {
  const command = at.ctx.argument(statement, at.path, 'a script')?.text;
  if (command === undefined) return undefined;
  const [user, group, extra] = statement.args.slice(1);
  if (extra) at.ctx.warning(extra, at.path, `${statement.keyword.text} takes a script, a user and a group; "${extra.text}" and what follows are ignored (quote the command line if these are arguments)`);
  return user ? { command, user: group ? `${user.text} ${group.text}` : user.text } : { command };
}

const commandWords = (value: Command): string[] => [value.command, ...(value.user !== undefined ? value.user.split(' ') : [])];
const COMMAND_EXAMPLES: readonly Command[] = [{ command: '/usr/local/bin/notify.sh master', user: 'nobody nogroup' }, { command: '/usr/local/bin/notify.sh' }];

export const command: Kind<Command> = {
  read: readCommand,
  write: (value) => words(...commandWords(value)),
  yaml: SCRIPT,
  examples: () => COMMAND_EXAMPLES,
};

/** `notify_deleted [SCRIPT [USER [GROUP]]]`: on its own it changes how a removed instance is reported. */
export const optionalCommand: Kind<Partial<Command>> = {
  read: (statement, at) => (statement.args.length > 0 ? readCommand(statement, at) : {}),
  write: (value) => words(...(value.command !== undefined ? commandWords({ ...value, command: value.command }) : [])),
  yaml: { kind: 'script-or-flag' },
  examples: () => [{}, ...COMMAND_EXAMPLES],
};

/** A vrrp_script's command line: every word, joined (keepalived runs it through a shell-like split). */
export const commandLine: Kind<string> = {
  read: (statement, at) => statement.args.map((word) => word.text).join(' ') || at.ctx.argument(statement, at.path, 'a command')?.text,
  write: (value) => words(value),
  yaml: SCALAR,
  examples: () => ['/usr/local/bin/check-api --fast'],
};

/** A word, or nothing (`use_vmac [NAME]`). */
export const optionalWord: Kind<{ readonly name?: string }> = {
  read: (statement) => (statement.args[0] ? { name: statement.args[0].text } : {}),
  write: (value) => words(...(value.name !== undefined ? [value.name] : [])),
  yaml: { kind: 'word-or-flag' },
  examples: () => [{}, { name: 'vrrp51' }],
};

/** A process name and the parameters to match (absent name: not said yet). */
export interface ProcessWords {
  readonly process?: string;
  readonly parameters: readonly string[];
}

/** `process NAME [PARAMETERS...]`: the parameters are matched against the command line. */
export const processWords: Kind<ProcessWords> = {
  read: (statement, at) => {
    const first = at.ctx.argument(statement, at.path, 'a process name');
    if (!first) return undefined;
    return { process: first.text, parameters: statement.args.slice(1).map((word) => word.text) };
  },
  write: (value) => words(value.process ?? '', ...value.parameters),
  yaml: WORDS,
  // In YAML the words are one string split at spaces: a parameter with a space is keepalived.conf's alone.
  examples: () => [{ process: 'nginx', parameters: ['-g', 'daemon'] }, { process: 'haproxy', parameters: [] }],
};

/** `init_file [VALUE] [overwrite]`: a track_file created at start holding VALUE (default 0). */
export const initFile: Kind<{ readonly value: number; readonly overwrite: boolean }> = {
  read: (statement, at) => {
    let value = 0;
    let overwrite = false;
    for (const word of statement.args) {
      if (word.text === 'overwrite') overwrite = true;
      else value = at.ctx.integerWord(word, 'init_file', at.path, -2_147_483_648, 2_147_483_647) ?? 0;
    }
    return { value, overwrite };
  },
  write: (value) => words(String(value.value), ...(value.overwrite ? ['overwrite'] : [])),
  yaml: WORDS,
  examples: () => [{ value: 5, overwrite: true }, { value: 0, overwrite: false }],
};

/** A weight and whether it is reversed: `weight N [reverse]`. */
export interface Weight {
  readonly weight: number;
  readonly reverse: boolean;
}

/**
 * `weight N [reverse]` of a tracker definition. Only what was read is returned: `reverse` once
 * said stays (a later `weight N` keeps it), as keepalived's flag does.
 */
export function weight(limit: number): Kind<Partial<Weight>> {
  return {
    read: (statement, at) => {
      const value = at.ctx.integer(statement, at.path, -limit, limit);
      const reverse = statement.args[1]?.text === 'reverse';
      if (value === undefined && !reverse) return undefined;
      return { ...(value !== undefined ? { weight: value } : {}), ...(reverse ? { reverse: true } : {}) };
    },
    write: (value) => words(String(value.weight ?? 0), ...(value.reverse ? ['reverse'] : [])),
    yaml: { kind: 'weight' },
    examples: () => [{ weight: -20, reverse: true }, { weight: 10, reverse: false }],
  };
}

/** A block of one name a line (`group { VI_1 VI_2 }`, `interfaces { eth0 eth1 }`), each located at `path[i]`. */
export function names(what: string, examples: readonly (readonly string[])[]): Kind<readonly string[]> {
  return {
    read: (statement, at) => {
      const entries = blockOf(statement, at.ctx, at.path);
      entries.forEach((entry, index) => at.ctx.sourceMap.set(`${at.path}[${index}]`, entry.keyword.location));
      return entries.map((entry) => entry.keyword.text);
    },
    write: (value) => ({ args: [], children: value.map((name): Entry => ({ keyword: name, args: [] })) }),
    yaml: { kind: 'names', what },
    examples: () => examples,
  };
}

/** One name standing for a list of one (`interface eth0` in a garp_group); says only lists of one. */
export function oneName(what: string, examples: readonly string[]): Kind<readonly string[]> {
  return {
    read: (statement, at) => {
      const device = at.ctx.argument(statement, at.path, what);
      if (device === undefined) return undefined;
      at.ctx.sourceMap.set(`${at.path}[0]`, device.location);
      return [device.text];
    },
    write: (value) => (value.length === 1 ? words(value[0]!) : undefined),
    yaml: SCALAR,
    examples: () => examples.map((name) => [name]),
  };
}

/** A keyword keepalived has and vrrpd accepts without acting on it. */
export function ignored(yaml: YamlForm = FLAG): Kind<undefined> {
  return { read: () => undefined, write: () => undefined, yaml, examples: () => [] };
}

/** A keyword vrrpd does not implement: a warning (at the block's path) saying so. */
export function unimplemented(message: (keyword: string) => string): Kind<undefined> {
  return {
    read: (statement, at) => {
      at.ctx.warning(statement.keyword, at.block, message(statement.keyword.text));
      return undefined;
    },
    write: () => undefined,
    yaml: FLAG,
    examples: () => [],
  };
}

/** A kind whose value becomes another (`strict_mode` turns accept off): read through `map`, said through `unmap`. */
export function mapped<V, W>(kind: Kind<V>, map: (value: V) => W | undefined, unmap: (value: W) => V): Kind<W> {
  return {
    read: (statement, at) => {
      const value = kind.read(statement, at, undefined);
      return value === undefined ? undefined : map(value);
    },
    write: (value) => kind.write(unmap(value)),
    yaml: kind.yaml,
    examples: () => kind.examples().flatMap((value) => {
      const result = map(value);
      return result === undefined ? [] : [result];
    }),
  };
}

/** A block inside the block (`authentication { ... }`), read with its own keywords. */
export function nested<D extends object, V>(block: NestedBlock<D, V>, examples: readonly NoInfer<V>[]): Kind<V> {
  return {
    read: (statement, at) => {
      const draft = {} as Mutable<D>;
      new BodyReader(block.keywords, statement.keyword.text).read(blockOf(statement, at.ctx, at.path), draft, at.path, at.ctx);
      return block.finish(draft, statement, at);
    },
    write: (value) => {
      const draft = block.draft(value);
      return { args: [], children: block.keywords.flatMap((keyword) => keyword.write(draft, undefined) ?? []) };
    },
    yaml: { kind: 'block', block: block as NestedBlock<object, unknown> },
    examples: () => examples,
  };
}

export interface RepeatedOptions<D, V> {
  /** The draft a value writes back as, through the block's keywords; without it the block is not written. */
  readonly draft?: (value: V) => D;
  /** The words after the keyword (`real_server 198.51.100.11 80`) and the YAML keys that say them. */
  readonly header?: { readonly words: (value: V) => readonly string[]; readonly yaml: YamlHeader };
  /** The items this keyword says, where several keywords fill one list (a real server's checkers: its type's). */
  readonly says?: (value: V) => boolean;
  /** Mostly one a block (a checker): one is written to YAML as a mapping, not a list of one. */
  readonly alone?: boolean;
  /** Values for the test that walks every keyword. */
  readonly examples?: readonly (readonly V[])[];
}

/**
 * A block that may come many times in its block (`real_server`, a checker, `url`): each is read
 * with its own keywords into a draft at `PATH[i]`, finished into the list's next item, and written
 * back as one block per item. In YAML: a list of mappings (one mapping is a list of one), with the
 * header's words as keys of their own.
 */
export function repeated<D extends object, V>(
  keywordList: readonly Keyword<D, undefined>[] | (() => readonly Keyword<D, undefined>[]),
  start: (statement: Statement, at: ReadAt) => Mutable<D> | undefined,
  finish: (draft: Mutable<D>, statement: Statement, at: ReadAt) => V | undefined,
  options: RepeatedOptions<D, V> = {},
): Kind<readonly V[]> {
  const { draft, header, says } = options;
  // A function: the keywords are made at the first block read or written (see lazyKeywords).
  const keywordsOf = typeof keywordList === 'function' ? lazyKeywords(keywordList) : () => keywordList;
  const block: NestedBlock<D, V> = {
    get keywords() {
      return keywordsOf();
    },
    finish,
    draft: draft ?? ((value) => value as unknown as D),
  };
  return {
    read: (statement, at, current) => {
      const list = current ?? [];
      const path = `${at.path}[${list.length}]`;
      const item = { ...at, path, block: path };
      const started = start(statement, item);
      if (!started) return undefined;
      at.ctx.locate(path, statement);
      new BodyReader(keywordsOf(), statement.keyword.text).read(blockOf(statement, at.ctx, path), started, path, at.ctx);
      const value = finish(started, statement, item);
      return value === undefined ? undefined : [...list, value];
    },
    write: (list) => {
      if (!draft) return undefined;
      return list
        .filter((value) => says?.(value) ?? true)
        .map((value): Written => ({ args: header?.words(value) ?? [], children: writeKeywords(keywordsOf(), draft(value), undefined) }));
    },
    yaml: { kind: 'blocks', block: block as NestedBlock<object, unknown>, ...(header ? { header: header.yaml } : {}), ...(options.alone ? { alone: true } : {}) },
    examples: () => options.examples ?? [],
  };
}

/**
 * `make`'s keywords, made at the first call: the load balancer's and the checkers' blocks declare
 * some 300 keywords that a configuration of VRRP instances alone never reads, and making them all
 * when the configuration modules load cost every daemon's start several ms before its first
 * advertisement (issue 16).
 */
export function lazyKeywords<D, C = undefined>(make: () => readonly Keyword<D, C>[]): () => readonly Keyword<D, C>[] {
  let keywords: readonly Keyword<D, C>[] | undefined;
  return () => (keywords ??= make());
}
