// File-name patterns for keepalived's `include` (*, ? and [...] in the last path segments), so the
// loader needs no glob dependency. Node 20 has no fs.globSync.
import { readdirSync, statSync } from 'node:fs';
import { join, parse, sep } from 'node:path';

export function globSync(pattern: string): string[] {
  const { root } = parse(pattern);
  const segments = pattern.slice(root.length).split(sep).filter(Boolean);
  let paths = [root];
  for (const segment of segments) {
    const next: string[] = [];
    for (const base of paths) {
      if (!/[*?[]/.test(segment)) {
        next.push(join(base, segment));
        continue;
      }
      const matcher = segmentMatcher(segment);
      let entries: string[] = [];
      try {
        entries = readdirSync(base);
      } catch {
        continue;
      }
      for (const entry of entries) if (matcher.test(entry)) next.push(join(base, entry));
    }
    paths = next;
  }
  return paths.filter((path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  });
}

function segmentMatcher(segment: string): RegExp {
  let source = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] ?? '';
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // Like the shell, a leading * does not match hidden files.
  return new RegExp(`^${segment.startsWith('.') ? '' : '(?!\\.)'}${source}$`);
}
