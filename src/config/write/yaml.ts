// The model as a YAML configuration (`vrrpd convert --to yaml`): the keys yaml/translate.ts reads,
// each keyword's first YAML key (keepalived keywords in camelCase), times in seconds as keepalived
// writes them. Each value is written in its keyword's YAML form (../keywords/registry.ts).
import { yamlLibrary } from '../yaml/library.js';
import { REGISTRY, type Registry } from '../keywords/index.js';
import { REVERSE_KEY, type Keyword } from '../keywords/registry.js';
import type { VrrpdConfig } from '../model.js';
import { configEntries, type Entry } from './entries.js';

export type Value = string | number | boolean | Value[] | { [key: string]: Value };

/** `registry`: the block types written (a test passes its own, with a made-up block type). */
export function writeYamlConfig(config: VrrpdConfig, header?: string, registry: Registry = REGISTRY): string {
  const document: Record<string, Value> = {};
  const types = [registry.global, ...registry.blocks];
  for (const entry of configEntries(config, registry)) {
    const type = types.find((candidate) => candidate.keyword === entry.keyword);
    if (!type) continue;
    const body = yamlBody(type.keywords, entry);
    const layout = type.yaml;
    if (layout.kind === 'single') document[layout.key] = body;
    else if (layout.kind === 'named') ((document[layout.key] ??= {}) as Record<string, Value>)[entry.args[0]!] = body;
    else if (layout.kind === 'list') ((document[layout.key] ??= []) as Value[]).push({ [layout.nameKey]: entry.args[0]!, ...body });
    else ((document[layout.key] ??= []) as Value[]).push(body);
  }
  const text = yamlLibrary().stringify(document, { lineWidth: 0 });
  return (header ? header.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n') + '\n' : '') + (Object.keys(document).length > 0 ? text : '{}\n');
}

/** A block's entry as the YAML mapping of its keywords' keys. */
export function yamlBody<M, C>(keywords: readonly Keyword<M, C>[], entry: Entry): Record<string, Value> {
  const body: Record<string, Value> = {};
  for (const child of entry.children ?? []) {
    const keyword = keywords.find((candidate) => candidate.name === child.keyword);
    const yaml = keyword?.yaml[0];
    // The writer writes only registered keywords, and every written one has a YAML key (a test walks them).
    if (!yaml) throw new Error(`${entry.keyword}: ${child.keyword} has no YAML key`);
    const form = yaml.form;
    if (form.kind === 'entries' || form.kind === 'addresses' || form.kind === 'lines' || form.kind === 'names') {
      body[yaml.key] = (child.children ?? []).map((item) => [item.keyword, ...item.args].join(' '));
    } else if (form.kind === 'block') {
      body[yaml.key] = yamlBody(form.block.keywords, child);
    } else if (form.kind === 'weight' && child.args[1] === 'reverse') {
      // `weight -20 reverse` in a vrrp_script / track_file / vrrp_track_process block.
      body[yaml.key] = scalar(child.args[0]!);
      body[REVERSE_KEY] = true;
    } else if ((form.kind === 'script' || form.kind === 'script-or-flag') && child.args.length > 1) {
      body[yaml.key] = { script: child.args[0]!, user: child.args.slice(1).join(' ') };
    } else if (child.args.length === 0) body[yaml.key] = true;
    else body[yaml.key] = child.args.length === 1 ? scalar(child.args[0]!) : child.args.join(' ');
  }
  return body;
}

/** Numbers and booleans as YAML writes them, when that reads back as the same text. */
function scalar(text: string): Value {
  if (text === 'true' || text === 'false') return text === 'true';
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) && String(number) === text ? number : text;
}
