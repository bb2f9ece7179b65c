// Every keyword of the registry, generated from it (not a hand list): a value other than the
// default, said in keepalived.conf with each of the keyword's spellings and in YAML with each of
// its keys, loads into the model; that model written back (keepalived.conf and YAML) loads into
// the same model again. And what would let a keyword slip past the YAML translator or the
// writers fails here: a written keyword without a YAML key, a model field no keyword fills.
import { parse, stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import { equalValues } from '../../src/core/equal.js';
import { formatIssue } from '../../src/config/issues.js';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { BLOCK_TYPES, GLOBAL_DEFS, VRRP_INSTANCE } from '../../src/config/keywords/index.js';
import { fieldsOf, type BlockType, type Entry, type Keyword } from '../../src/config/keywords/registry.js';
import type { VrrpdConfig } from '../../src/config/model.js';
import { configEntries, blocksOf } from '../../src/config/write/entries.js';
import { renderKeepalived, writeKeepalivedConfig } from '../../src/config/write/keepalived.js';
import { writeYamlConfig, yamlBody, type Value } from '../../src/config/write/yaml.js';
import { loadYamlText } from '../../src/config/yaml/loader.js';
import { withoutSources } from '../helpers/without-sources.js';

/** One block of every type, and what the examples refer to (scripts, files, processes, instances). */
const BASE_TEXT = `
vrrp_script chk_api {
    script /bin/true
}
vrrp_script chk_db {
    script /bin/true
}
track_file maintenance {
    file /run/vrrpd/maintenance
}
vrrp_track_process haproxy {
    process haproxy
}
bfd_instance upstream {
    neighbor_ip 192.0.2.254
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    virtual_ipaddress {
        192.0.2.200/24
    }
}
vrrp_sync_group G1 {
    group {
        VI_1
    }
}
garp_group {
    interface eth0
}
virtual_server_group web {
    192.0.2.10-20 80
    fwmark 7
}
virtual_server 192.0.2.100 80 {
    protocol TCP
    sorry_server 198.51.100.200 80
}
`;

type AnyType = BlockType<object, unknown>;
const TYPES: readonly AnyType[] = [GLOBAL_DEFS, ...BLOCK_TYPES];

function loadConf(text: string): VrrpdConfig {
  const result = loadKeepalivedText(text, 'keywords.conf');
  expect(result.issues.filter((issue) => issue.severity === 'error').map(formatIssue), text).toEqual([]);
  return withoutSources(result.config);
}

function loadYaml(text: string): VrrpdConfig {
  const result = loadYamlText(text, 'keywords.yaml');
  expect(result.issues.filter((issue) => issue.severity === 'error').map(formatIssue), text).toEqual([]);
  return withoutSources(result.config);
}

const base = loadConf(BASE_TEXT);

/** The block of a type the test changes: global_defs, or the first block of the type. */
function blockOf(config: VrrpdConfig, type: AnyType): object {
  return type === GLOBAL_DEFS ? config.global : blocksOf(config, type)[0]!;
}

function withBlock(config: VrrpdConfig, type: AnyType, block: object): VrrpdConfig {
  if (type === GLOBAL_DEFS) return { ...config, global: block as VrrpdConfig['global'] };
  const list = blocksOf(config, type);
  return { ...config, [type.collection]: [block, ...list.slice(1)] };
}

/**
 * The block with a value of the keyword's other than what it holds. A keyword that can only say
 * its field's default (`preempt`, `accept`) starts from a block where a sibling keyword said otherwise.
 */
function example(type: AnyType, keyword: Keyword<object, unknown>): { from: object; to: object } {
  const block = blockOf(base, type);
  const direct = keyword.examples(block)[0];
  if (direct) return { from: block, to: rederived(type, block, direct) };
  for (const sibling of type.keywords.filter((other) => other !== keyword && other.field === keyword.field)) {
    for (const from of sibling.examples(block)) {
      const to = keyword.examples(from)[0];
      if (to) return { from: rederived(type, block, from), to: rederived(type, block, to) };
    }
  }
  throw new Error(`${type.keyword} ${keyword.name}: no example differs from the base configuration`);
}

/** A derived default the base did not set follows the example (a script's timeout its interval). */
function rederived(type: AnyType, before: object, after: object): object {
  const result = structuredClone(after);
  for (const field of fieldsOf(type)) {
    const spec = field.default;
    if (spec.kind === 'derived' && equalValues(field.get(before), spec.from(before, base.global)) && equalValues(field.get(after), field.get(before))) {
      field.set(result, spec.from(after, base.global));
    }
  }
  return result;
}

/** The spellings a line of the keyword replaces rather than follows: the exclusive keywords of its field. */
function replaced(type: AnyType, keyword: Keyword<object, unknown>): Keyword<object, unknown>[] {
  return keyword.exclusive ? type.keywords.filter((other) => other.exclusive && other.field === keyword.field) : [];
}

/** What the keyword says for a block's value, in one of its spellings (a repeated block: a line per item). */
function said(keyword: Keyword<object, unknown>, block: object, spelling: string): Entry[] {
  const entry = keyword.say(block);
  if (!entry) throw new Error(`${keyword.name} says nothing for ${JSON.stringify(block)}`);
  return [entry].flat().map((line) => ({ ...line, keyword: spelling }));
}

/** The configuration's entries with more lines at the end of the type's (first) block, instead of `replacing` ones. */
function appended(config: VrrpdConfig, type: AnyType, lines: readonly Entry[], replacing: readonly string[]): Entry[] {
  const entries = configEntries(config);
  const at = entries.findIndex((entry) => entry.keyword === type.keyword);
  // Only an empty global_defs is left out.
  if (at < 0) return [{ keyword: type.keyword, args: [], children: lines }, ...entries];
  const kept = (entries[at]!.children ?? []).filter((child) => !replacing.includes(child.keyword));
  entries[at] = { ...entries[at]!, children: [...kept, ...lines] };
  return entries;
}

/** The block's place in a YAML document. */
function yamlBlock(document: Record<string, Value>, type: AnyType): Record<string, Value> {
  const layout = type.yaml;
  if (layout.kind === 'single') return ((document[layout.key] as Record<string, Value> | undefined) ??= {});
  if (layout.kind === 'named') return Object.values(document[layout.key] as Record<string, Record<string, Value>>)[0]!;
  return (document[layout.key] as Record<string, Value>[])[0]!;
}

describe.each(TYPES.map((type) => [type.keyword, type] as const))('%s', (_, type) => {
  const keywords = type.keywords.filter((keyword) => keyword.field);

  // A block whose lines are entries, not keywords (virtual_server_group): the base's, through both writers.
  if (type.readBody) {
    test('its lines back through both writers', () => {
      expect(blocksOf(base, type).length).toBeGreaterThan(0);
      expect(loadConf(writeKeepalivedConfig(base))).toEqual(base);
      expect(loadYaml(writeYamlConfig(base))).toEqual(base);
    });
  }

  test.each(keywords.map((keyword) => [keyword.name, keyword] as const))('%s: every spelling and YAML key, and back through both writers', (_, keyword) => {
    const { from, to } = example(type, keyword);
    const before = withBlock(base, type, from);
    const expected = withBlock(base, type, to);

    // keepalived.conf, each spelling: the block as written, then the keyword saying the new value.
    for (const spelling of [keyword.name, ...keyword.aliases]) {
      const text = renderKeepalived(appended(before, type, said(keyword, to, spelling), replaced(type, keyword).map((other) => other.name)));
      expect(blockOf(loadConf(text), type), `${spelling}:\n${text}`).toEqual(blockOf(expected, type));
    }

    // YAML, each key: the block as the YAML writer writes it, then the key saying the new value.
    const yamlSaid = yamlBody(type.keywords, { keyword: type.keyword, args: [], children: said(keyword, to, keyword.name) });
    expect(keyword.yaml.length, `${keyword.name} has a YAML key`).toBeGreaterThan(0);
    for (const { key } of keyword.yaml) {
      const document = parse(writeYamlConfig(before)) as Record<string, Value>;
      const body = yamlBlock(document, type);
      for (const other of replaced(type, keyword)) for (const { key: otherKey } of other.yaml) delete body[otherKey];
      for (const [saidKey, value] of Object.entries(yamlSaid)) body[saidKey === keyword.yaml[0]!.key ? key : saidKey] = value;
      const text = stringify(document);
      expect(blockOf(loadYaml(text), type), `${key}:\n${text}`).toEqual(blockOf(expected, type));
    }

    // The model back through both writers.
    const conf = writeKeepalivedConfig(expected);
    expect(loadConf(conf), conf).toEqual(expected);
    const yaml = writeYamlConfig(expected);
    expect(loadYaml(yaml), yaml).toEqual(expected);
  });
});

describe('nothing in the registry can slip past the YAML translator or the writers', () => {
  type Keywords = readonly Keyword<object, unknown>[];
  /** Nested blocks at any depth (a vrrp_script's SSL_GET, its url blocks). */
  const nestedIn = (name: string, keywords: Keywords): Array<[string, Keywords]> =>
    keywords.flatMap((keyword) =>
      keyword.yaml.slice(0, 1).flatMap(({ form }) => (form.kind === 'block' || form.kind === 'blocks' ? [[`${name} ${keyword.name}`, form.block.keywords] as [string, Keywords], ...nestedIn(`${name} ${keyword.name}`, form.block.keywords)] : [])),
    );
  const blocks = (): Array<[string, Keywords]> => [...TYPES.map((type) => [type.keyword, type.keywords] as [string, Keywords]), ...TYPES.flatMap((type) => nestedIn(type.keyword, type.keywords))];

  test('every keyword that fills a field has a YAML key, or shares its field with one that has', () => {
    const missing = blocks().flatMap(([block, keywords]) =>
      keywords.filter((keyword) => keyword.field && keyword.yaml.length === 0 && !keywords.some((other) => other.field === keyword.field && other.yaml.length > 0)).map((keyword) => `${block} ${keyword.name}`),
    );
    expect(missing).toEqual([]);
  });

  test('every keyword without a YAML key fills no field: the writers can never write it', () => {
    const written = blocks().flatMap(([block, keywords]) => keywords.filter((keyword) => keyword.yaml.length === 0 && keyword.field).map((keyword) => `${block} ${keyword.name}`));
    expect(written).toEqual([]);
  });

  test('every field of every block model is a keyword\'s or declared with the block', () => {
    for (const type of TYPES) {
      // Each keyword's example said at once: every optional field is set.
      let block = blockOf(base, type);
      for (const keyword of type.keywords) block = keyword.examples(block)[0] ?? block;
      const covered = new Set(fieldsOf(type).flatMap((field) => field.keys));
      const created = Object.keys(type.create('x', base.global));
      const uncovered = Object.keys(block).filter((key) => !covered.has(key) && !created.includes(key));
      expect(uncovered, type.keyword).toEqual([]);
    }
  });

  test('every field of vrrp_instance has a reload effect, and every model key of an instance is such a field', () => {
    const fields = fieldsOf(VRRP_INSTANCE);
    expect(fields.filter((field) => !field.reload).map((field) => field.path)).toEqual([]);
    let instance = base.instances[0]!;
    for (const keyword of VRRP_INSTANCE.keywords) instance = keyword.examples(instance)[0] ?? instance;
    const covered = new Set(fields.flatMap((field) => field.keys));
    expect(Object.keys(instance).filter((key) => !covered.has(key))).toEqual([]);
  });

  test('a registered keyword the writer does not know fails the YAML writer loudly, not silently', () => {
    const entry: Entry = { keyword: 'vrrp_instance', args: ['VI_1'], children: [{ keyword: 'made_up_keyword', args: ['1'] }] };
    expect(() => yamlBody(VRRP_INSTANCE.keywords, entry)).toThrow('vrrp_instance: made_up_keyword has no YAML key');
  });
});
