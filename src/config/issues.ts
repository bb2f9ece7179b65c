// Problems found in a configuration, with where they are. Loaders record a SourceMap from model
// paths ("instances[VI_1].priority") to file positions, so validation can stay format-agnostic.

export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export interface ConfigIssue {
  readonly severity: 'error' | 'warning';
  /** Where in the model, e.g. `instances[VI_1].priority`. */
  readonly path: string;
  readonly message: string;
  readonly location?: SourceLocation;
}

export type SourceMap = Map<string, SourceLocation>;

/** `file:line:column: error: message`, or `path: error: message` when the position is unknown. */
export function formatIssue(issue: ConfigIssue): string {
  const location = issue.location;
  // Line 0 means the file as a whole (it could not be read).
  const where = !location ? issue.path : location.line === 0 ? location.file : `${location.file}:${location.line}:${location.column}`;
  return `${where}: ${issue.severity}: ${issue.message}`;
}

/** Attaches to each issue the location of the longest path prefix the loader recorded. */
export function locateIssues(issues: readonly ConfigIssue[], sourceMap: SourceMap): ConfigIssue[] {
  return issues.map((issue) => {
    if (issue.location) return issue;
    for (let path = issue.path; path !== ''; path = parentPath(path)) {
      const location = sourceMap.get(path);
      if (location) return { ...issue, location };
    }
    return issue;
  });
}

function parentPath(path: string): string {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut <= 0 ? '' : path.slice(0, cut);
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

/** A configuration that cannot be used; carries every issue found, warnings included. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    const errors = issues.filter((issue) => issue.severity === 'error');
    super(`${errors.length} configuration error${errors.length === 1 ? '' : 's'}:\n${errors.map(formatIssue).join('\n')}`);
  }
}
