// The model back to keepalived keywords: what a configuration has to say so that loading it gives
// this model again, as the keyword registry (../keywords/) declares each keyword's writing. Fields
// holding their defaults (and what instances inherit from global_defs) are left out, so the output
// reads like a hand-written file. keepalived.ts and yaml.ts render these entries.
import { REGISTRY, type Registry } from '../keywords/index.js';
import { writeKeywords, type BlockType, type Entry, type Keyword } from '../keywords/registry.js';
import type { VrrpdConfig } from '../model.js';

export type { Entry };

/** `registry`: the block types written (a test passes its own, with a made-up block type). */
export function configEntries(config: VrrpdConfig, registry: Registry = REGISTRY): Entry[] {
  const entries: Entry[] = [];
  const global = bodyEntries(registry.global.keywords, config.global, undefined);
  if (global.length > 0) entries.push({ keyword: registry.global.keyword, args: [], children: global });
  for (const type of registry.blocks) {
    for (const model of blocksOf(config, type)) entries.push(blockEntry(type, model, config.global));
  }
  return entries;
}

/** The blocks of a type in a configuration: its collection (model.ts names them after the registry's). */
export function blocksOf<C>(config: VrrpdConfig, type: BlockType<object, C>): readonly object[] {
  return (config as unknown as Readonly<Record<string, readonly object[] | undefined>>)[type.collection] ?? [];
}

function blockEntry<M extends object, C>(type: BlockType<M, C>, model: M, context: C): Entry {
  // A named block's model carries its name (the `create` of the type put it there); a block with a header of words says them.
  const args = type.naming === 'named' ? [String((model as { readonly name?: unknown }).name)] : (type.header?.(model) ?? []);
  return { keyword: type.keyword, args, children: type.writeBody ? type.writeBody(model) : bodyEntries(type.keywords, model, context) };
}

function bodyEntries<M, C>(keywords: readonly Keyword<M, C>[], model: M, context: C): Entry[] {
  return writeKeywords(keywords, model, context);
}
