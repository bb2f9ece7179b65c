// The model as a YAML configuration (`vrrpd convert --to yaml`): the keys yaml/translate.ts reads,
// each keyword's first YAML key (keepalived keywords in camelCase), times in seconds as keepalived
// writes them. Each value is written in its keyword's YAML form (../keywords/registry.ts).
import { yamlLibrary } from '../yaml/library.js';
import { REGISTRY, type Registry } from '../keywords/index.js';
import { REVERSE_KEY, type Keyword, type YamlHeader } from '../keywords/registry.js';
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
    const layout = type.yaml;
    // A block whose lines are entries (virtual_server_group): the lines as keepalived writes them.
    const body: Value = type.writeBody ? lines(entry) : yamlBody(type.keywords, entry);
    if (layout.kind === 'single') document[layout.key] = body;
    else if (layout.kind === 'named') ((document[layout.key] ??= {}) as Record<string, Value>)[entry.args[0]!] = body;
    else if (layout.kind === 'list') ((document[layout.key] ??= []) as Value[]).push({ [layout.nameKey]: entry.args[0]!, ...(body as Record<string, Value>) });
    else ((document[layout.key] ??= []) as Value[]).push({ ...headerKeys(layout.header, entry.args), ...(body as Record<string, Value>) });
  }
  const text = yamlLibrary().stringify(document, { lineWidth: 0 });
  return (header ? header.split('\n').map((line) => `# ${line}`.trimEnd()).join('\n') + '\n' : '') + (Object.keys(document).length > 0 ? text : '{}\n');
}

/** A block's entry as the YAML mapping of its keywords' keys. */
export function yamlBody<M, C>(keywords: readonly Keyword<M, C>[], entry: Entry): Record<string, Value> {
  const body: Record<string, Value> = {};
  const alone = new Map<string, boolean>();
  for (const child of entry.children ?? []) {
    const keyword = keywords.find((candidate) => candidate.name === child.keyword);
    const yaml = keyword?.yaml[0];
    // The writer writes only registered keywords, and every written one has a YAML key (a test walks them).
    if (!yaml) throw new Error(`${entry.keyword}: ${child.keyword} has no YAML key`);
    const form = yaml.form;
    if (form.kind === 'entries' || form.kind === 'addresses' || form.kind === 'lines' || form.kind === 'names') {
      body[yaml.key] = lines(child);
    } else if (form.kind === 'block') {
      body[yaml.key] = yamlBody(form.block.keywords, child);
    } else if (form.kind === 'blocks') {
      // One entry per block (a checker's url blocks, real servers): a list of them, each with its header's keys.
      ((body[yaml.key] ??= []) as Value[]).push({ ...headerKeys(form.header, child.args), ...yamlBody(form.block.keywords, child) });
      alone.set(yaml.key, form.alone === true);
    } else if (form.kind === 'weight' && child.args[1] === 'reverse') {
      // `weight -20 reverse` in a vrrp_script / track_file / vrrp_track_process block.
      body[yaml.key] = scalar(child.args[0]!);
      body[REVERSE_KEY] = true;
    } else if ((form.kind === 'script' || form.kind === 'script-or-flag') && child.args.length > 1) {
      body[yaml.key] = { script: child.args[0]!, user: child.args.slice(1).join(' ') };
    } else if (child.args.length === 0) body[yaml.key] = true;
    else body[yaml.key] = child.args.length === 1 ? scalar(child.args[0]!) : child.args.join(' ');
  }
  for (const [key, one] of alone) {
    const list = body[key] as Value[];
    if (one && list.length === 1) body[key] = list[0]!;
  }
  return body;
}

/** A block's lines as keepalived writes them, one string each. */
function lines(entry: Entry): string[] {
  return (entry.children ?? []).map((item) => [item.keyword, ...item.args].join(' '));
}

/**
 * A block's header words as its YAML keys: the alternative whose tag is the first word
 * (`fwmark 5`: `{fwmark: 5}`), else the untagged one, a key a word (`{address: ..., port: 80}`).
 */
function headerKeys(header: YamlHeader | undefined, words: readonly string[]): Record<string, Value> {
  if (!header || words.length === 0) return {};
  const tagged = header.find((keys) => keys[0]?.tagged && keys[0].key === words[0]);
  const keys = tagged ?? header.find((candidate) => !candidate[0]?.tagged) ?? [];
  const values = tagged ? words.slice(1) : words;
  return Object.fromEntries(keys.flatMap((key, index) => (values[index] !== undefined ? [[key.key, scalar(values[index])]] : [])));
}

/** Numbers and booleans as YAML writes them, when that reads back as the same text. */
function scalar(text: string): Value {
  if (text === 'true' || text === 'false') return text === 'true';
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) && String(number) === text ? number : text;
}
