// Reading keepalived values from words, each failure an issue at the word's position.
import type { ConfigIssue } from '../issues.js';
import type { Statement, Word } from './syntax.js';

/** Collects issues and the source positions of model paths while a file is loaded. */
export class LoadContext {
  readonly issues: ConfigIssue[] = [];
  readonly sourceMap = new Map<string, Word['location']>();

  error(word: Word, path: string, message: string): void {
    this.issues.push({ severity: 'error', path, message, location: word.location });
  }

  warning(word: Word, path: string, message: string): void {
    this.issues.push({ severity: 'warning', path, message, location: word.location });
  }

  /** Records where a model path comes from: the value if there is one, else the keyword. */
  locate(path: string, statement: Statement): void {
    this.sourceMap.set(path, (statement.args[0] ?? statement.keyword).location);
  }

  /** The statement's single argument, or an issue saying it is missing. */
  argument(statement: Statement, path: string, what: string): Word | undefined {
    const word = statement.args[0];
    if (!word) this.error(statement.keyword, path, `${statement.keyword.text} needs ${what}`);
    // Validation speaks in model paths; this is where such a path's value was written.
    this.sourceMap.set(path, (word ?? statement.keyword).location);
    return word;
  }

  integer(statement: Statement, path: string, min: number, max: number): number | undefined {
    const word = this.argument(statement, path, `a whole number ${min}..${max}`);
    if (!word) return undefined;
    return this.integerWord(word, statement.keyword.text, path, min, max);
  }

  integerWord(word: Word, keyword: string, path: string, min: number, max: number): number | undefined {
    const value = /^[-+]?\d+$/.test(word.text) ? Number(word.text) : NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      this.error(word, path, `${keyword} "${word.text}" is not valid: expected a whole number ${min}..${max}`);
      return undefined;
    }
    return value;
  }

  /** keepalived times are seconds with decimals; the model keeps milliseconds. */
  seconds(statement: Statement, path: string, maxSeconds: number): number | undefined {
    const word = this.argument(statement, path, 'a number of seconds');
    if (!word) return undefined;
    const value = /^\d+(\.\d+)?$/.test(word.text) ? Number(word.text) : NaN;
    if (!Number.isFinite(value) || value > maxSeconds) {
      this.error(word, path, `${statement.keyword.text} "${word.text}" is not valid: expected seconds 0..${maxSeconds} (decimals allowed)`);
      return undefined;
    }
    return Math.round(value * 1_000_000) / 1000;
  }

  /** keepalived's optional <BOOL>: absent means true. */
  flag(statement: Statement, path: string): boolean | undefined {
    const word = statement.args[0];
    this.sourceMap.set(path, (word ?? statement.keyword).location);
    if (!word) return true;
    const text = word.text.toLowerCase();
    if (['true', 'yes', 'on', '1'].includes(text)) return true;
    if (['false', 'no', 'off', '0'].includes(text)) return false;
    this.error(word, path, `${statement.keyword.text} "${word.text}" is not valid: expected true or false (or nothing, meaning true)`);
    return undefined;
  }

  /** Warns about words after the ones a keyword takes. */
  noExtra(statement: Statement, path: string, expected: number): void {
    const extra = statement.args[expected];
    if (extra) this.warning(extra, path, `${statement.keyword.text} takes ${expected === 0 ? 'no value' : `${expected} value${expected === 1 ? '' : 's'}`}; "${extra.text}" and what follows are ignored`);
  }
}
