// The model as keepalived.conf text (`vrrpd convert --to keepalived`, `vrrpd ipfailover --print`).
import { REGISTRY, type Registry } from '../keywords/index.js';
import type { VrrpdConfig } from '../model.js';
import { configEntries, type Entry } from './entries.js';

/** `registry`: the block types written (a test passes its own, with a made-up block type). */
export function writeKeepalivedConfig(config: VrrpdConfig, header?: string, registry: Registry = REGISTRY): string {
  return renderKeepalived(configEntries(config, registry), header);
}

/** Entries as keepalived.conf text, a blank line between top-level blocks. */
export function renderKeepalived(entries: readonly Entry[], header?: string): string {
  const lines: string[] = header ? header.split('\n').map((text) => `! ${text}`.trimEnd()) : [];
  entries.forEach((entry, index) => {
    if (index > 0 || lines.length > 0) lines.push('');
    render(entry, 0, lines);
  });
  return lines.join('\n') + '\n';
}

function render(entry: Entry, depth: number, lines: string[]): void {
  const indent = '    '.repeat(depth);
  const words = [entry.keyword, ...entry.args].map(quote).join(' ');
  if (entry.children === undefined) {
    lines.push(indent + words);
    return;
  }
  lines.push(`${indent}${words} {`);
  for (const child of entry.children) render(child, depth + 1, lines);
  lines.push(`${indent}}`);
}

/** keepalived reads a quoted string as one word; comments start at # or !. */
function quote(word: string): string {
  return word === '' || /[\s#!{}"]/.test(word) ? `"${word}"` : word;
}
