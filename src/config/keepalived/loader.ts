// keepalived.conf onto the configuration model: the VRRP half of keepalived 2.2's keywords, with
// keepalived's defaults and semantics, as the keyword registry (../keywords/) declares them. Blocks
// vrrpd does not implement (LVS, BFD, SMTP...) are warned about once each; misspelt keywords get a
// "did you mean"; nothing is silently dropped.
import type { ConfigIssue, SourceLocation } from '../issues.js';
import { locateIssues } from '../issues.js';
import type { GlobalDefs, VrrpdConfig } from '../model.js';
import { validateConfig } from '../validate.js';
import { REGISTRY, type Registry } from '../keywords/index.js';
import { completeModel, newModel, type AnyBlockType, type BlockType } from '../keywords/registry.js';
import { blockOf, BodyReader, unknownKeyword } from './block-reader.js';
import { parseKeepalivedFile, parseKeepalivedText, type ParseOptions, type ParseResult, type Statement } from './syntax.js';
import { LoadContext } from './values.js';

export interface LoadResult {
  /** The model as far as it could be read; use it only when `issues` has no error. */
  readonly config: VrrpdConfig;
  readonly issues: readonly ConfigIssue[];
  readonly files: readonly string[];
  /** Where each model path was read, for checks made after loading (the host's interfaces). */
  readonly sourceMap?: ReadonlyMap<string, SourceLocation>;
}

// `registry`: the block types read (a test passes its own, with a made-up block type).
export function loadKeepalivedConfig(path: string, options: ParseOptions = {}, registry: Registry = REGISTRY): LoadResult {
  return load(parseKeepalivedFile(path, options), registry);
}

export function loadKeepalivedText(text: string, name: string, options: ParseOptions = {}, registry: Registry = REGISTRY): LoadResult {
  return load(parseKeepalivedText(text, name, options), registry);
}

/** Statements from another syntax (the YAML loader) through the same keywords and checks. */
export function loadStatements(parsed: ParseResult, registry: Registry = REGISTRY): LoadResult {
  return load(parsed, registry);
}

function load(parsed: ParseResult, registry: Registry): LoadResult {
  const { global: globalType, unimplemented: unimplementedBlocks } = registry;
  const blockTypes = [...registry.blocks, ...(registry.loadOnly ?? [])];
  const ctx = new LoadContext();
  const syntaxIssues: ConfigIssue[] = parsed.problems.map((problem) => ({
    severity: problem.severity,
    path: 'syntax',
    message: problem.message,
    location: problem.location,
  }));

  // Every block inherits from global_defs, wherever it is in the file.
  const global = readGlobal(globalType, parsed.statements.filter((s) => s.keyword.text === globalType.keyword), ctx);
  const types = new Map<string, AnyBlockType<GlobalDefs>>();
  for (const type of blockTypes) for (const keyword of [type.keyword, ...type.aliases]) types.set(keyword, type);
  const unimplemented = Object.entries(unimplementedBlocks).filter(([keyword]) => !types.has(keyword));
  const known = [globalType.keyword, ...types.keys(), ...unimplemented.map(([keyword]) => keyword)];
  const blocks = new Map<AnyBlockType<GlobalDefs>, object[]>(blockTypes.map((type) => [type, []]));
  const reported = new Set<string>();

  for (const statement of parsed.statements) {
    const keyword = statement.keyword.text;
    if (keyword === globalType.keyword) continue;
    const type = types.get(keyword);
    const why = unimplementedBlocks[keyword];
    if (type) {
      const list = blocks.get(type)!;
      const block = readBlock(type, statement, global, list.length, ctx);
      if (block) list.push(block);
    } else if (why !== undefined) {
      // Once per kind of block: a config with 200 virtual_servers needs one line, not 200.
      if (!reported.has(keyword)) ctx.warning(statement.keyword, keyword, `${keyword}: ${why}; ignored`);
      reported.add(keyword);
    } else {
      unknownKeyword(statement, keyword, known, ctx);
    }
  }

  const collections = blockTypes.filter((type) => !type.optional || blocks.get(type)!.length > 0).map((type) => [type.collection, blocks.get(type)!]);
  // The registered block types fill VrrpdConfig's collections (model.ts names them).
  const config = { global, ...Object.fromEntries(collections) } as unknown as VrrpdConfig;
  const validation = locateIssues(validateConfig(config), ctx.sourceMap);
  return { config, issues: [...syntaxIssues, ...ctx.issues, ...validation], files: parsed.files, sourceMap: ctx.sourceMap };
}

/** Every global_defs block of the file, read as one. */
function readGlobal(type: BlockType<GlobalDefs, undefined>, statements: readonly Statement[], ctx: LoadContext): GlobalDefs {
  const path = type.collection;
  const global = newModel(type, '', undefined);
  const reader = new BodyReader(type.keywords, type.keyword);
  for (const block of statements) {
    ctx.locate(path, block);
    reader.read(blockOf(block, ctx, path), global, path, ctx);
  }
  completeModel(type, global, undefined, reader.fieldsSet);
  return global;
}

/** One block: `vrrp_script NAME { ... }` at `scripts[NAME]`, a counted one (garp_group) at `garpGroups[index]`. */
function readBlock<M, C>(type: BlockType<M, C>, statement: Statement, context: C, index: number, ctx: LoadContext): M | undefined {
  let name = '';
  let path = `${type.collection}[${index}]`;
  if (type.naming === 'named') {
    const word = ctx.argument(statement, type.collection, 'a name');
    if (word === undefined) return undefined;
    name = word.text;
    path = `${type.collection}[${name}]`;
  }
  ctx.locate(path, statement);
  const model = newModel(type, name, context);
  const reader = new BodyReader(type.keywords, type.keyword);
  const at = { ctx, path, block: path };
  if (type.readBody) type.readBody(blockOf(statement, ctx, path), model, at);
  else reader.read(blockOf(statement, ctx, path), model, path, ctx);
  if (type.finish && !type.finish(model, { at, statement, context })) return undefined;
  completeModel(type, model, context, reader.fieldsSet);
  return model;
}
