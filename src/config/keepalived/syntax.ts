// keepalived.conf syntax, as keepalived 2.2 reads it, into a tree of statements that keep their
// source positions. Meaning (which keywords exist, their values) is the loader's job; this layer
// knows only lines, words, quotes, braces, comments, `include`, `$MACRO`s and `@id` lines.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SourceLocation } from '../issues.js';
import { globSync } from './glob.js';

export type { SourceLocation };

export interface Word {
  readonly text: string;
  readonly location: SourceLocation;
}

/** `keyword arg arg { children }`; children is undefined when the statement has no block. */
export interface Statement {
  readonly keyword: Word;
  readonly args: readonly Word[];
  readonly children: readonly Statement[] | undefined;
}

export interface SyntaxProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly location: SourceLocation;
}

export interface ParseOptions {
  /** keepalived's config id (`-i`), compared with `@id` lines; keepalived defaults to the host name. */
  readonly configId?: string;
  /** Reads a file; tests pass an in-memory map. */
  readonly readFile?: (path: string) => string;
  /** Expands an include pattern to files; tests pass their own. */
  readonly expandGlob?: (pattern: string) => string[];
}

export interface ParseResult {
  readonly statements: Statement[];
  readonly problems: SyntaxProblem[];
  /** Every file read, the root first. */
  readonly files: string[];
}

type Token =
  | { readonly kind: 'word'; readonly word: Word }
  | { readonly kind: 'open' | 'close' | 'newline'; readonly location: SourceLocation };

const MAX_INCLUDE_DEPTH = 8;

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
};

export function parseKeepalivedFile(path: string, options: ParseOptions = {}): ParseResult {
  const reader = new Reader(options);
  const tokens = reader.readFile(resolve(path), 0, undefined);
  const statements = new TreeBuilder(tokens, reader.problems).build();
  return { statements, problems: reader.problems, files: reader.files };
}

/** Parses text as if it were the file `name` (includes resolve relative to it). */
export function parseKeepalivedText(text: string, name: string, options: ParseOptions = {}): ParseResult {
  const reader = new Reader(options);
  const tokens = reader.readText(text, name, 0);
  const statements = new TreeBuilder(tokens, reader.problems).build();
  return { statements, problems: reader.problems, files: reader.files };
}

/** Reads files into one token stream: comments, macros, conditionals and includes resolved. */
class Reader {
  readonly problems: SyntaxProblem[] = [];
  readonly files: string[] = [];
  private readonly macros = new Map<string, string>();
  private readonly readFn: (path: string) => string;
  private readonly globFn: (pattern: string) => string[];
  private readonly configId: string | undefined;

  constructor(options: ParseOptions) {
    this.readFn = options.readFile ?? ((path) => readFileSync(path, 'utf8'));
    this.globFn = options.expandGlob ?? globSync;
    this.configId = options.configId;
  }

  readFile(path: string, depth: number, from: SourceLocation | undefined): Token[] {
    let text: string;
    try {
      text = this.readFn(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      const reason = READ_ERRORS[code] ?? code;
      this.problems.push({ severity: 'error', message: `cannot read ${path}: ${reason}`, location: from ?? { file: path, line: 0, column: 0 } });
      return [];
    }
    return this.readText(text, path, depth);
  }

  readText(text: string, file: string, depth: number): Token[] {
    this.files.push(file);
    const tokens: Token[] = [];
    const lines = text.split(/\r?\n/);
    lines.forEach((rawLine, index) => {
      const lineNumber = index + 1;
      const line = this.applyConditional(rawLine);
      if (line === undefined || this.defineMacro(line.text)) return;
      // Macros expand on the whole line first (keepalived does the same), so a value may hold
      // several words or braces; columns after an expansion refer to the expanded line.
      const expanded = this.expandMacros(line.text, { file, line: lineNumber, column: line.offset + 1 });
      const lineTokens = this.tokenizeLine(expanded, file, lineNumber, line.offset);
      const first = lineTokens[0];
      if (first?.kind === 'word' && first.word.text === 'include') {
        this.include(lineTokens, file, depth, tokens);
        return;
      }
      tokens.push(...lineTokens, { kind: 'newline', location: { file, line: lineNumber, column: rawLine.length + 1 } });
    });
    return tokens;
  }

  /**
   * keepalived's `@name` / `@^name` prefix: the line counts only when the config id is (or is
   * not) `name`. Without a config id, `@name` lines are skipped and `@^name` lines kept.
   */
  private applyConditional(line: string): { text: string; offset: number } | undefined {
    const match = /^(\s*)@(\^?)(\S+)\s?/.exec(line);
    if (!match) return { text: line, offset: 0 };
    const negated = match[2] === '^';
    const matches = this.configId !== undefined && match[3] === this.configId;
    if (matches === negated) return undefined;
    return { text: line.slice(match[0].length), offset: match[0].length };
  }

  /** `$NAME=value` on a line of its own defines a macro for the lines that follow. */
  private defineMacro(line: string): boolean {
    const match = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) return false;
    this.macros.set(match[1] ?? '', (match[2] ?? '').trim());
    return true;
  }

  private include(lineTokens: Token[], file: string, depth: number, out: Token[]): void {
    const keyword = lineTokens[0];
    const location = keyword && keyword.kind === 'word' ? keyword.word.location : { file, line: 0, column: 0 };
    const patterns = lineTokens.slice(1).filter((token): token is Extract<Token, { kind: 'word' }> => token.kind === 'word');
    if (patterns.length === 0) {
      this.problems.push({ severity: 'error', message: 'include needs a file name or pattern', location });
      return;
    }
    if (depth >= MAX_INCLUDE_DEPTH) {
      this.problems.push({ severity: 'error', message: `includes nested more than ${MAX_INCLUDE_DEPTH} deep (a loop?)`, location });
      return;
    }
    for (const pattern of patterns) {
      // Relative patterns are relative to the including file's folder.
      const absolute = resolve(dirname(file), pattern.word.text);
      const matches = /[*?[]/.test(absolute) ? this.globFn(absolute).sort() : [absolute];
      if (matches.length === 0) {
        this.problems.push({ severity: 'warning', message: `include ${pattern.word.text} matches no file`, location: pattern.word.location });
      }
      for (const path of matches) out.push(...this.readFile(path, depth + 1, pattern.word.location));
    }
  }

  private tokenizeLine(line: string, file: string, lineNumber: number, offset: number): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    const at = (column: number): SourceLocation => ({ file, line: lineNumber, column: column + offset + 1 });
    while (i < line.length) {
      const c = line[i] ?? '';
      if (c === ' ' || c === '\t') {
        i++;
        continue;
      }
      // `!` and `#` start a comment when they start a word.
      if (c === '!' || c === '#') break;
      if (c === '{' || c === '}') {
        tokens.push({ kind: c === '{' ? 'open' : 'close', location: at(i) });
        i++;
        continue;
      }
      const start = i;
      let text = '';
      if (c === '"') {
        const end = line.indexOf('"', i + 1);
        if (end < 0) {
          this.problems.push({ severity: 'error', message: 'unterminated quoted string', location: at(start) });
          text = line.slice(i + 1);
          i = line.length;
        } else {
          text = line.slice(i + 1, end);
          i = end + 1;
        }
      } else {
        while (i < line.length && !' \t{}'.includes(line[i] ?? ' ')) i++;
        text = line.slice(start, i);
      }
      tokens.push({ kind: 'word', word: { text, location: at(start) } });
    }
    return tokens;
  }

  /** Expands `$NAME` and `${NAME}`; `lineStart` locates the text's first character. */
  private expandMacros(text: string, lineStart: SourceLocation): string {
    if (!text.includes('$')) return text;
    return text.replace(
      /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (whole: string, braced: string | undefined, bare: string | undefined, offset: number) => {
        const name = braced ?? bare ?? '';
        const value = this.macros.get(name);
        if (value !== undefined) return value;
        this.problems.push({
          severity: 'warning',
          message: `macro $${name} is not defined; kept as written`,
          location: { ...lineStart, column: lineStart.column + offset },
        });
        return whole;
      },
    );
  }
}

/** Builds statements from tokens: words up to a line end or brace; a `{` opens the statement's block. */
class TreeBuilder {
  private index = 0;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly problems: SyntaxProblem[],
  ) {}

  build(): Statement[] {
    const statements = this.block(undefined);
    return statements;
  }

  private block(opener: SourceLocation | undefined): Statement[] {
    const statements: Statement[] = [];
    for (;;) {
      const token = this.tokens[this.index];
      if (!token) {
        if (opener) this.problems.push({ severity: 'error', message: 'block opened here is never closed (missing "}")', location: opener });
        return statements;
      }
      if (token.kind === 'newline') {
        this.index++;
        continue;
      }
      if (token.kind === 'close') {
        this.index++;
        if (opener) return statements;
        this.problems.push({ severity: 'error', message: 'unexpected "}" with no block open', location: token.location });
        continue;
      }
      if (token.kind === 'open') {
        this.index++;
        this.problems.push({ severity: 'error', message: 'block "{" without a keyword before it', location: token.location });
        this.block(token.location);
        continue;
      }
      if (token.kind === 'word') statements.push(this.statement(token.word));
    }
  }

  private statement(keyword: Word): Statement {
    this.index++;
    const args: Word[] = [];
    for (;;) {
      const token = this.tokens[this.index];
      if (!token || token.kind === 'close') return { keyword, args, children: undefined };
      if (token.kind === 'word') {
        args.push(token.word);
        this.index++;
        continue;
      }
      if (token.kind === 'open') {
        this.index++;
        return { keyword, args, children: this.block(token.location) };
      }
      // A line end: the block may still open on a following line (keepalived allows it).
      const next = this.nextNonNewline();
      if (next?.kind === 'open') {
        this.index = this.tokens.indexOf(next) + 1;
        return { keyword, args, children: this.block(next.location) };
      }
      return { keyword, args, children: undefined };
    }
  }

  private nextNonNewline(): Token | undefined {
    for (let i = this.index; i < this.tokens.length; i++) {
      const token = this.tokens[i];
      if (token?.kind !== 'newline') return token;
    }
    return undefined;
  }
}
