// Problems found in a configuration, with where they are. Loaders record a SourceMap from model
// paths ("instances[VI_1].priority", see paths.ts) to file positions, so validation can stay
// format-agnostic and still point at the line the operator has to change.
import { parentPaths } from './paths.js';

export interface SourceLocation {
  readonly file: string;
  /** 1-based; 0 means the file as a whole (for example, it could not be read). */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface ConfigIssue {
  /** A note is advice (`vrrpd check` only): a better way to say the same. */
  readonly severity: 'error' | 'warning' | 'note';
  /** Where in the model, e.g. `instances[VI_1].priority`. */
  readonly path: string;
  readonly message: string;
  readonly location?: SourceLocation;
}

/** Model path -> where the loader read it. */
export type SourceMap = Map<string, SourceLocation>;

/** `file:line:column: error: message`, or `path: error: message` when the position is unknown. */
export function formatIssue(issue: ConfigIssue): string {
  const location = issue.location;
  const where = !location ? issue.path : location.line === 0 ? location.file : `${location.file}:${location.line}:${location.column}`;
  return `${where}: ${issue.severity}: ${issue.message}`;
}

/**
 * Gives each issue without a location the location of the longest path prefix the loader
 * recorded: an issue about `instances[VI_1].virtualAddresses[2]` lands on that address's line,
 * or on the `vrrp_instance VI_1` line when only that was recorded.
 */
export function locateIssues(issues: readonly ConfigIssue[], sourceMap: ReadonlyMap<string, SourceLocation>): ConfigIssue[] {
  return issues.map((issue) => {
    if (issue.location) return issue;
    for (const path of [issue.path, ...parentPaths(issue.path)]) {
      const location = sourceMap.get(path);
      if (location) return { ...issue, location };
    }
    return issue;
  });
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** Where checks report to; keeps every check free of array bookkeeping. */
export interface IssueSink {
  error(path: string, message: string): void;
  warning(path: string, message: string): void;
}

export function collectIssues(): IssueSink & { readonly issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  return {
    issues,
    error: (path, message) => void issues.push({ severity: 'error', path, message }),
    warning: (path, message) => void issues.push({ severity: 'warning', path, message }),
  };
}

/** A configuration that cannot be used; carries every issue found, warnings included. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error');
    super(`${errors.length} configuration error${errors.length === 1 ? '' : 's'}:\n${errors.map(formatIssue).join('\n')}`);
  }
}
