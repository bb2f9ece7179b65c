// The README is a front page and the manual lives in docs/: pages link to each other by file and
// by heading, and several helpers add sections to them. A renamed heading or a moved file breaks
// a link silently on GitHub; this finds every relative link (and its #anchor) that leads nowhere.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const pages = ['README.md', 'bench/RESULTS.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces to -. */
function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
}

function headings(path: string): Set<string> {
  const text = readFileSync(path, 'utf8').replace(/^```[\s\S]*?^```/gm, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((match) => slug(match[1] ?? '')));
}

/** Each relative link of a page that names a missing file or a heading its target lacks. */
function brokenLinks(page: string, text = readFileSync(join(root, page), 'utf8')): string[] {
  const path = join(root, page);
  const broken: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1] ?? '';
    if (/^[a-z]+:/.test(target)) continue;
    const [file = '', anchor] = target.split('#');
    const targetPath = file === '' ? path : join(dirname(path), file);
    if (!existsSync(targetPath)) broken.push(`${page}: ${target} (no ${relative(root, targetPath)})`);
    else if (anchor !== undefined && !headings(targetPath).has(anchor)) broken.push(`${page}: ${target} (no such heading)`);
  }
  return broken;
}

describe('the README and the manual in docs/', () => {
  test.each(pages)('every relative link of %s leads to a file and heading that exist', (page) => {
    expect(brokenLinks(page)).toEqual([]);
  });

  test('a link to a missing file or heading is reported, one to an existing heading is not', () => {
    const text = '[a](operations.md#running-under-systemd) [b](operations.md#running-under-upstart) [c](nowhere.md) [d](https://example.com/x)';
    expect(brokenLinks('docs/README.md', text)).toEqual([
      'docs/README.md: operations.md#running-under-upstart (no such heading)',
      'docs/README.md: nowhere.md (no docs/nowhere.md)',
    ]);
  });

  test('the index docs/README.md links every page of docs/', () => {
    const index = readFileSync(join(root, 'docs', 'README.md'), 'utf8');
    const linked = [...index.matchAll(/\]\(([^)#/]+\.md)/g)].map((match) => match[1]);
    const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(docs.filter((name) => !linked.includes(name))).toEqual([]);
  });

  test('the README stays a front page: under 200 lines, opening with the demo and the test command, linking every page of docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme.split('\n').length).toBeLessThan(200);
    // .ci/run runs the README's test command; a newcomer's first two commands come first.
    expect(readme.slice(0, 400)).toContain('scripts/demo');
    expect(readme.slice(0, 400)).toContain('scripts/test');
    const linked = [...readme.matchAll(/\]\(docs\/([^)#]+)/g)].map((match) => match[1]);
    const docs = readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md') && name !== 'README.md');
    expect(docs.filter((name) => !linked.includes(name))).toEqual([]);
  });
});
