// A YAML configuration (every keepalived keyword in camelCase, plus Deckhouse's KeepalivedInstance
// `vrrpInstances` entries) onto keepalived statements whose words carry YAML positions. The
// keepalived loader then gives both formats one set of semantics, defaults and messages, and
// every issue a file:line:column in the YAML file. Which keys a block has, and how each value
// reads, is the keyword registry's (../keywords/): each keyword's YAML keys and form.
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { yamlLibrary } from './library.js';
import type { ConfigIssue, SourceLocation } from '../issues.js';
import { familyOf, parseAddressWithPrefix } from '../addresses.js';
import { nearest } from '../suggest.js';
import type { AddressFamily } from '../model.js';
import { describeDetection, detectionKey, type DetectedInterfaces, type DetectionRequest, type InterfaceDetection } from '../interface-detection.js';
import type { Statement, Word } from '../keepalived/syntax.js';
import { REGISTRY, type Registry } from '../keywords/index.js';
import { camelCase, REVERSE_KEY, type AnyField, type BlockType, type Keyword, type YamlForm, type YamlHeader } from '../keywords/registry.js';

export interface Translation {
  readonly statements: Statement[];
  readonly issues: ConfigIssue[];
  readonly detections: DetectionRequest[];
}

export { camelCase };

/** How a key's value becomes keepalived statements: a keyword's YAML form, or the translator's own. */
type Spec =
  | { readonly kind: 'keyword'; readonly keyword: string; readonly form: YamlForm; readonly field: AnyField<object, unknown> | undefined }
  | { readonly kind: 'custom'; readonly read: (pair: Pair<Node, Node | null>, out: Statement[], at: string) => void };

const ignore: Spec = { kind: 'custom', read: () => undefined };

/** Every block type, global_defs first, as the root of a YAML file lists them. */
function rootTypes(registry: Registry): readonly BlockType<object, unknown>[] {
  return [registry.global, ...registry.blocks];
}

const spelledKeywords = new WeakMap<Registry, ReadonlySet<string>>();

/** The keepalived keywords with an underscore whose YAML key is their camelCase, for rewording messages. */
export function keywordsWithYamlKeysOf(registry: Registry): ReadonlySet<string> {
  // Asked for each message of each load: worked out once per registry.
  let known = spelledKeywords.get(registry);
  if (!known) {
    known = new Set(keywordsWithYamlKeys(rootTypes(registry).map((type) => type.keywords)));
    spelledKeywords.set(registry, known);
  }
  return known;
}

function keywordsWithYamlKeys(blocks: readonly (readonly Keyword<object, unknown>[])[]): string[] {
  return blocks.flatMap((keywords) =>
    keywords.flatMap((keyword) => {
      const keys = keyword.yaml.map((yaml) => yaml.key);
      const spelled = [keyword.name, ...keyword.aliases].filter((name) => keys.includes(camelCase(name)));
      const inside = keyword.yaml.flatMap(({ form }) =>
        form.kind === 'block' || form.kind === 'blocks' ? keywordsWithYamlKeys([form.block.keywords]) : form.kind === 'entries' ? Object.keys(form.keys).map(snakeCase) : [],
      );
      return [...spelled, ...inside].filter((name) => name.includes('_'));
    }),
  );
}

/** YAML key -> keepalived word: `minTtl` -> `min_ttl`. */
function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (char) => `_${char.toLowerCase()}`);
}

interface Options {
  readonly file: string;
  /** Answers to interface detection; without them detections are placeholders and warnings. */
  readonly detected?: DetectedInterfaces;
  /** The block types whose keys a file has (a test passes its own, with a made-up block type). */
  readonly registry?: Registry;
}

export function translateYaml(text: string, options: Options): Translation {
  return new Translator(text, options).run();
}

class Translator {
  /** The yaml package, loaded on first use (library.ts says why). */
  private readonly yaml = yamlLibrary();
  private readonly lineCounter = new this.yaml.LineCounter();
  private readonly doc: Document;
  private readonly statements: Statement[] = [];
  private readonly issues: ConfigIssue[] = [];
  private readonly detections: DetectionRequest[] = [];
  private readonly placeholders = new Map<string, string>();
  private readonly types: readonly BlockType<object, unknown>[];

  constructor(
    text: string,
    private readonly options: Options,
  ) {
    // uniqueKeys: a key written twice is an error (YAML 1.2 §3.2.1.1); 1.2 core schema: `yes` is a string.
    this.doc = this.yaml.parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
    this.types = rootTypes(options.registry ?? REGISTRY);
  }

  run(): Translation {
    for (const error of this.doc.errors) this.issue('error', 'syntax', `YAML: ${error.message.split(' at line ')[0]}`, this.at(error.pos[0]));
    for (const warning of this.doc.warnings) this.issue('warning', 'syntax', `YAML: ${warning.message.split(' at line ')[0]}`, this.at(warning.pos[0]));
    if (this.doc.errors.length === 0) this.root(this.doc.contents);
    return { statements: this.statements, issues: this.issues, detections: this.detections };
  }

  // ---- positions and issues ----

  private at(offset: number): SourceLocation {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.options.file, line, column: col };
  }

  private location(node: Node | null | undefined): SourceLocation {
    return this.at(node?.range?.[0] ?? 0);
  }

  private word(text: string, node: Node | null | undefined): Word {
    return { text, location: this.location(node) };
  }

  private issue(severity: 'error' | 'warning', path: string, message: string, location: SourceLocation): void {
    this.issues.push({ severity, path, message, location });
  }

  private resolve(node: Node | null | undefined): Node | null | undefined {
    // Aliases: the node they point at (the yaml package refuses alias loops while parsing).
    return this.yaml.isAlias(node) ? (node.resolve(this.doc) ?? null) : node;
  }

  /** The map a key holds, or an error saying what was expected. */
  private map(node: Node | null | undefined, what: string, path: string, owner: Node | null | undefined): YAMLMap<Node, Node | null> | undefined {
    const resolved = this.resolve(node);
    if (this.yaml.isMap(resolved)) return resolved as YAMLMap<Node, Node | null>;
    if (resolved === null || resolved === undefined || (this.yaml.isScalar(resolved) && resolved.value === null)) return undefined;
    this.issue('error', path, `${what} must be a mapping (key: value lines)`, this.location(resolved ?? owner));
    return undefined;
  }

  private items(node: Node | null | undefined, what: string, path: string): (Node | null)[] {
    const resolved = this.resolve(node);
    if (this.yaml.isSeq(resolved)) return resolved.items as (Node | null)[];
    if (resolved === null || resolved === undefined || (this.yaml.isScalar(resolved) && resolved.value === null)) return [];
    this.issue('error', path, `${what} must be a list`, this.location(resolved));
    return [];
  }

  /** A scalar's text, or undefined (with an error) for a list or mapping. */
  private scalarText(node: Node | null | undefined, what: string, path: string): string | undefined {
    const resolved = this.resolve(node);
    if (resolved === null || resolved === undefined) return undefined;
    if (!this.yaml.isScalar(resolved)) {
      this.issue('error', path, `${what} must be a single value, not a ${this.yaml.isSeq(resolved) ? 'list' : 'mapping'}`, this.location(resolved));
      return undefined;
    }
    if (resolved.value === null) return undefined;
    return String(resolved.value);
  }

  /** A scalar's text without reporting anything (the key's own spec reports problems). */
  private peek(node: Node | null | undefined): string | undefined {
    const resolved = this.resolve(node);
    return this.yaml.isScalar(resolved) && resolved.value !== null ? String(resolved.value) : undefined;
  }

  private keyText(pair: Pair<Node, Node | null>): string {
    const key = this.resolve(pair.key);
    return this.yaml.isScalar(key) ? String(key.value) : '';
  }

  // ---- the document ----

  private root(contents: Node | null): void {
    let root = this.map(contents, 'the configuration', 'root', contents);
    if (!root) return;
    // A whole KeepalivedInstance manifest: its spec is the configuration.
    const kind = root.items.find((pair) => this.keyText(pair) === 'kind');
    if (kind && this.scalarText(kind.value, 'kind', 'root') === 'KeepalivedInstance') {
      const spec = root.items.find((pair) => this.keyText(pair) === 'spec');
      root = this.map(spec?.value, 'spec', 'root', spec?.key);
      if (!root) return;
      const inManifest = this.types.filter((type) => type.yaml.kind === 'list' && type.yaml.inManifest);
      // nodeSelector and tolerations are the scheduler's.
      this.eachKey(root, 'root', 'spec', { ...this.rootSpecs(inManifest), nodeSelector: ignore, tolerations: ignore }, []);
      return;
    }
    this.eachKey(root, 'root', 'the configuration', this.rootSpecs(this.types), []);
  }

  /** The root keys of block types: each type's key and its aliases. */
  private rootSpecs(types: readonly BlockType<object, unknown>[]): Record<string, Spec> {
    const specs: Record<string, Spec> = {};
    for (const type of types) {
      const layout = type.yaml;
      const read: Spec = { kind: 'custom', read: (pair) => this.blocks(type, pair) };
      for (const key of [layout.key, ...(layout.kind === 'named' ? (layout.aliases ?? []) : [])]) specs[key] = read;
    }
    return specs;
  }

  /** The keys of a block's keywords. */
  private specs(keywords: readonly Keyword<object, unknown>[]): Record<string, Spec> {
    const specs: Record<string, Spec> = {};
    for (const keyword of keywords) {
      for (const { key, form, spelling } of keyword.yaml) {
        specs[key] = { kind: 'keyword', keyword: spelling, form, field: keyword.field };
        // `reverse: true` qualifies the weight (merged into it once the block is read).
        if (form.kind === 'weight') specs[REVERSE_KEY] = { kind: 'keyword', keyword: REVERSE_KEY, form: { kind: 'flag' }, field: undefined };
      }
    }
    return specs;
  }

  /** Each key of a mapping through its spec; unknown keys are warnings with the nearest known key. */
  private eachKey(map: YAMLMap<Node, Node | null>, path: string, what: string, specs: Record<string, Spec>, out: Statement[], extraKnown: readonly string[] = []): void {
    for (const pair of map.items) {
      const key = this.keyText(pair);
      const spec = specs[key];
      if (spec) this.apply(spec, pair, out, path);
      else if (!extraKnown.includes(key)) {
        const suggestion = nearest(key, [...Object.keys(specs), ...extraKnown]);
        this.issue('warning', path, `unknown key "${key}" in ${what}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ignored`, this.location(pair.key));
      }
    }
  }

  private apply(spec: Spec, pair: Pair<Node, Node | null>, out: Statement[], path: string, family: AddressFamily = 'ipv4'): void {
    const key = this.keyText(pair);
    if (spec.kind === 'custom') return spec.read(pair, out, path);
    const { form } = spec;
    const keyword = this.word(spec.keyword, pair.key);
    const at = spec.field ? `${path}.${spec.field.path}` : path;
    switch (form.kind) {
      case 'flag':
      case 'bool': {
        const on = this.boolean(pair, path);
        if (on === true) out.push({ keyword, args: [], children: undefined });
        else if (on === false && form.kind === 'bool') out.push({ keyword, args: [this.word('false', pair.value)], children: undefined });
        return;
      }
      case 'choice': {
        // Deckhouse: `preempt: false` is keepalived's nopreempt.
        const on = this.boolean(pair, path);
        if (on !== undefined) out.push({ keyword: this.word(on ? form.whenTrue : form.whenFalse, pair.key), args: [], children: undefined });
        return;
      }
      case 'word-or-flag': {
        const node = this.resolve(pair.value);
        if (this.yaml.isScalar(node) && typeof node.value === 'string') out.push({ keyword, args: [this.word(node.value, node)], children: undefined });
        // A number is a word too (`requireReply: 1234`, hex digits): as written, not as YAML reads it.
        else if (this.yaml.isScalar(node) && typeof node.value === 'number') out.push({ keyword, args: [this.word(typeof node.source === 'string' ? node.source : String(node.value), node)], children: undefined });
        else if (this.boolean(pair, path)) out.push({ keyword, args: [], children: undefined });
        return;
      }
      case 'script-or-flag': {
        // true, or the script to run as well.
        const node = this.resolve(pair.value);
        if (this.yaml.isMap(node) || (this.yaml.isScalar(node) && typeof node.value === 'string')) this.apply({ ...spec, form: { kind: 'script' } }, pair, out, path);
        else if (this.boolean(pair, path)) out.push({ keyword, args: [], children: undefined });
        return;
      }
      case 'entries':
        return this.entries(pair, spec.keyword, form.head, form.keys, out, path);
      case 'addresses':
        return this.addresses(pair, spec.keyword, out, at, family);
      case 'lines':
        return this.lines(pair, spec.keyword, out, at);
      case 'names':
        return this.nameBlock(spec.keyword, form.what, at).read(pair, out, path);
      case 'interface':
        return this.interfaceKey(pair, out, path, family);
      case 'block': {
        const body: Statement[] = [];
        const map = this.map(pair.value, key, path, pair.key);
        if (map) this.eachKey(map, at, key, this.specs(form.block.keywords), body);
        out.push({ keyword, args: [], children: body });
        return;
      }
      case 'blocks': {
        // A list of mappings, each one block; a single mapping is one.
        const resolved = this.resolve(pair.value);
        const nodes = this.yaml.isMap(resolved) ? [resolved] : this.items(pair.value, key, path);
        nodes.forEach((node, index) => {
          const body: Statement[] = [];
          const what = `${key}[${index}]`;
          const map = this.map(node, what, `${at}[${index}]`, pair.key);
          const args = map && form.header ? this.header(form.header, map, what, `${at}[${index}]`) : [];
          // Without its header words the block is not there (said once, here).
          if (form.header && args.length === 0) return;
          if (map) this.eachKey(map, `${at}[${index}]`, key, this.specs(form.block.keywords), body, headerKeysOf(form.header));
          // A FILE_CHECK's `weight: -10` with `reverse: true`, as in a track_file.
          this.mergeReverse(body, form.block.keywords);
          out.push({ keyword: this.word(spec.keyword, node ?? pair.key), args, children: body });
        });
        return;
      }
      case 'script': {
        const value = this.resolve(pair.value);
        if (this.yaml.isMap(value)) {
          const fields = new Map((value as YAMLMap<Node, Node | null>).items.map((item) => [this.keyText(item), item.value]));
          for (const item of (value as YAMLMap<Node, Node | null>).items) {
            if (!['script', 'user'].includes(this.keyText(item))) this.issue('warning', path, `unknown key "${this.keyText(item)}" in ${key}; ignored (script, user)`, this.location(item.key));
          }
          const command = this.scalarText(fields.get('script'), `${key}.script`, path);
          const user = fields.has('user') ? this.scalarText(fields.get('user'), `${key}.user`, path) : undefined;
          const args = command === undefined ? [] : [this.word(command, fields.get('script')), ...(user !== undefined ? this.split(user, fields.get('user')) : [])];
          out.push({ keyword, args, children: undefined });
          return;
        }
        break;
      }
      case 'scalar':
      case 'words':
      case 'weight':
        break;
    }
    const text = this.scalarText(pair.value, key, path);
    const args = text === undefined ? [] : form.kind === 'words' ? this.split(text, pair.value) : [this.word(text, pair.value)];
    out.push({ keyword, args, children: undefined });
  }

  private boolean(pair: Pair<Node, Node | null>, path: string): boolean | undefined {
    const node = this.resolve(pair.value);
    // `nopreempt:` with no value reads as keepalived's bare keyword.
    if (node === null || node === undefined || (this.yaml.isScalar(node) && node.value === null)) return true;
    if (this.yaml.isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.issue('error', path, `${this.keyText(pair)} must be true or false`, this.location(node));
    return undefined;
  }

  /** "192.0.2.1/24 dev eth0" into words, each at its column (a plain one-line scalar). */
  private split(text: string, node: Node | null | undefined): Word[] {
    const base = this.location(node);
    const source = this.yaml.isScalar(node) && typeof node.source === 'string' && node.type === 'PLAIN' ? node.source : undefined;
    const result: Word[] = [];
    for (const match of text.matchAll(/\S+/g)) {
      const column = source === text ? base.column + (match.index ?? 0) : base.column;
      result.push({ text: match[0], location: { ...base, column } });
    }
    return result;
  }

  // ---- blocks ----

  /** The blocks of one type under its root key, as its YAML layout places them. */
  private blocks(type: BlockType<object, unknown>, pair: Pair<Node, Node | null>): void {
    const layout = type.yaml;
    const keywords = type.keywords;
    if (layout.kind === 'single') {
      const children: Statement[] = [];
      const map = this.map(pair.value, this.keyText(pair), type.collection, pair.key);
      if (map) this.eachKey(map, type.collection, this.keyText(pair), this.specs(keywords), children);
      this.statements.push({ keyword: this.word(type.keyword, pair.key), args: [], children });
    } else if (layout.kind === 'named') {
      // `vrrpScripts: {chk: {...}}`: a mapping of name -> definition.
      const map = this.map(pair.value, this.keyText(pair), type.collection, pair.key);
      if (!map) return;
      for (const entry of map.items) {
        const name = this.keyText(entry);
        const path = `${type.collection}[${name}]`;
        const children: Statement[] = [];
        if (type.readBody) {
          // A block whose lines are entries (virtual_server_group): a list of them, as keepalived writes them.
          this.items(entry.value, layout.what(name), path).forEach((item, index) => {
            const node = this.resolve(item);
            const parts = this.split(this.scalarText(node, `${layout.what(name)}[${index}]`, `${path}[${index}]`) ?? '', node);
            if (parts[0]) children.push({ keyword: parts[0], args: parts.slice(1), children: undefined });
          });
          this.statements.push({ keyword: this.word(type.keyword, entry.key), args: [this.word(name, entry.key)], children });
          continue;
        }
        const body = this.map(entry.value, name, path, entry.key);
        if (body) this.eachKey(body, path, layout.what(name), this.specs(keywords), children);
        this.mergeReverse(children, keywords);
        this.statements.push({ keyword: this.word(type.keyword, entry.key), args: [this.word(name, entry.key)], children });
      }
    } else if (layout.kind === 'list') {
      this.items(pair.value, layout.key, type.collection).forEach((item, index) => this.listed(type, layout, item, index));
    } else {
      // `garpGroups: [{garpInterval: 0.2, interfaces: [eth0, eth1]}]`.
      this.items(pair.value, layout.key, type.collection).forEach((item, index) => {
        const path = `${type.collection}[${index}]`;
        const body = this.map(item, path, path, item);
        const children: Statement[] = [];
        const args = body && layout.header ? this.header(layout.header, body, `${layout.key}[${index}]`, path) : [];
        if (layout.header && args.length === 0) return;
        if (body) this.eachKey(body, path, path, this.specs(keywords), children, headerKeysOf(layout.header));
        this.statements.push({ keyword: this.word(type.keyword, item), args, children });
      });
    }
  }

  /**
   * A block's header words from their keys (`address: 192.0.2.1` and `port: 80`; `fwmark: 5`), each
   * at its value's position, as its YAML header declares them; an error at the mapping when none is there.
   */
  private header(header: YamlHeader, map: YAMLMap<Node, Node | null>, what: string, path: string): Word[] {
    const get = (key: string): Pair<Node, Node | null> | undefined => map.items.find((pair) => this.keyText(pair) === key);
    const present = header.filter((keys) => get(keys[0]!.key) !== undefined);
    if (present.length === 0) {
      this.issue('error', path, `${what} needs ${header.map((keys) => keys[0]!.key).join(', or ')}`, this.location(map));
      return [];
    }
    if (present.length > 1) {
      const [first, second] = present.map((keys) => keys[0]!.key);
      this.issue('error', path, `${what}: ${first} and ${second} exclude each other (one of them says what the block is)`, this.location(get(second!)?.key));
    }
    const words: Word[] = [];
    for (const key of present[0]!) {
      const pair = get(key.key);
      if (!pair) continue;
      const text = this.scalarText(pair.value, key.key, path);
      if (text === undefined) continue;
      if (key.tagged) words.push(this.word(key.key, pair.key));
      words.push(this.word(text, pair.value));
    }
    return words;
  }

  /** One entry of a list of named bodies (`vrrpInstances: [{name: VI_1, ...}]`). */
  private listed(type: BlockType<object, unknown>, layout: Extract<BlockType<object, unknown>['yaml'], { kind: 'list' }>, item: Node | null, index: number): void {
    const what = `${layout.key}[${index}]`;
    const map = this.map(item, what, type.collection, item);
    if (!map) {
      if (item === null || (this.yaml.isScalar(item) && item.value === null)) this.issue('error', type.collection, `${what} is empty`, this.location(item));
      return;
    }
    const get = (key: string): Pair<Node, Node | null> | undefined => map.items.find((pair) => this.keyText(pair) === key);
    const name = layout.name((...keys) => {
      const present = keys.map(get).find((pair) => pair !== undefined);
      return this.peek(present?.value);
    }, index);
    const path = `${type.collection}[${name}]`;
    const keywords = type.keywords;
    const family = this.family(map, keywords);
    const children: Statement[] = [];
    const specs: Record<string, Spec> = { [layout.nameKey]: ignore };
    for (const [key, spec] of Object.entries(this.specs(keywords))) {
      specs[key] = spec.kind === 'keyword' ? { kind: 'custom', read: (p, out, at) => this.apply(spec, p, out, at, family) } : spec;
    }
    this.eachKey(map, path, what, specs, children);
    const keywordNode = get(layout.nameKey)?.value ?? item;
    this.statements.push({ keyword: this.word(type.keyword, item), args: [this.word(name, keywordNode)], children });
  }

  /** The family of the first virtual address written, which keepalived takes as the instance's. */
  private family(map: YAMLMap<Node, Node | null>, keywords: readonly Keyword<object, unknown>[]): AddressFamily {
    const keys = keywords.flatMap((keyword) => keyword.yaml.filter(({ form }) => form.kind === 'addresses' && form.decidesFamily).map(({ key }) => key));
    for (const pair of map.items) {
      if (!keys.includes(this.keyText(pair))) continue;
      const list = this.resolve(pair.value);
      const first = this.yaml.isSeq(list) ? this.resolve(list.items[0] as Node | null) : undefined;
      const text = this.yaml.isScalar(first) ? String(first.value) : this.yaml.isMap(first) ? String((first.get('address') as unknown) ?? '') : '';
      return familyOf(text.split(/[\s/]/)[0] ?? '') ?? 'ipv4';
    }
    return 'ipv4';
  }

  /** `weight: -20` with `reverse: true` is keepalived's `weight -20 reverse`. */
  private mergeReverse(children: Statement[], keywords: readonly Keyword<object, unknown>[]): void {
    const weightKeyword = keywords.find((keyword) => keyword.yaml.some(({ form }) => form.kind === 'weight'));
    const reverseAt = children.findIndex((child) => child.keyword.text === REVERSE_KEY);
    if (!weightKeyword || reverseAt < 0) return;
    const reverse = children[reverseAt]!;
    children.splice(reverseAt, 1);
    const weightAt = children.findIndex((child) => child.keyword.text === weightKeyword.name);
    const weight = children[weightAt];
    const at = reverse.keyword.location;
    if (weight) children[weightAt] = { ...weight, args: [...weight.args, { text: 'reverse', location: at }] };
    else children.push({ keyword: { text: weightKeyword.name, location: at }, args: [{ text: defaultWeight(weightKeyword), location: at }, { text: 'reverse', location: at }], children: undefined });
  }

  /** `interface: eth0` or Deckhouse's `{detectionStrategy: Name|NetworkAddress|DefaultRoute, ...}`. */
  private interfaceKey(pair: Pair<Node, Node | null>, out: Statement[], path: string, family: AddressFamily): void {
    const reported = this.issues.length;
    const name = this.interfaceName(pair.value, `${path}.interface`, family, 'interface');
    // A detection that failed is reported already; an empty value is left to the loader's message.
    if (!name && this.issues.length > reported) return;
    out.push({ keyword: this.word('interface', pair.key), args: name ? [name] : [], children: undefined });
  }

  private interfaceName(node: Node | null | undefined, path: string, family: AddressFamily, what: string): Word | undefined {
    const resolved = this.resolve(node);
    if (!this.yaml.isMap(resolved)) {
      const text = this.scalarText(resolved, what, path);
      return text === undefined ? undefined : this.word(text, resolved);
    }
    const map = resolved as YAMLMap<Node, Node | null>;
    const strategyPair = map.items.find((pair) => this.keyText(pair) === 'detectionStrategy');
    for (const pair of map.items) {
      const key = this.keyText(pair);
      if (!['detectionStrategy', 'name', 'networkAddress'].includes(key)) {
        const suggestion = nearest(key, ['detectionStrategy', 'name', 'networkAddress']);
        this.issue('warning', path, `unknown key "${key}" in ${what}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ignored`, this.location(pair.key));
      }
    }
    const strategy = this.scalarText(strategyPair?.value, 'detectionStrategy', path);
    const field = (key: string): Pair<Node, Node | null> | undefined => map.items.find((pair) => this.keyText(pair) === key);
    if (strategy === undefined && field('name')) return this.interfaceName(field('name')!.value, path, family, `${what}.name`);
    if (strategy === 'Name') {
      const namePair = field('name');
      if (!namePair) {
        this.issue('error', path, `${what}: detectionStrategy Name needs name`, this.location(strategyPair?.value));
        return undefined;
      }
      return this.interfaceName(namePair.value, path, family, `${what}.name`);
    }
    let detection: InterfaceDetection;
    if (strategy === 'DefaultRoute') detection = { strategy, family };
    else if (strategy === 'NetworkAddress') {
      const networkPair = field('networkAddress');
      const text = this.scalarText(networkPair?.value, 'networkAddress', path);
      if (text === undefined) {
        this.issue('error', path, `${what}: detectionStrategy NetworkAddress needs networkAddress (a network such as 192.0.2.0/24)`, this.location(networkPair?.value ?? strategyPair?.value));
        return undefined;
      }
      const parsed = parseAddressWithPrefix(text);
      if ('error' in parsed) {
        this.issue('error', path, `${what}.networkAddress: ${parsed.error}`, this.location(networkPair?.value));
        return undefined;
      }
      detection = { strategy, network: parsed.address, prefixLength: parsed.prefixLength, family: parsed.family };
    } else {
      const where = strategyPair?.value ?? resolved;
      this.issue(
        'error',
        path,
        strategy === undefined
          ? `${what} needs detectionStrategy (Name, NetworkAddress or DefaultRoute) or name`
          : `${what}: detectionStrategy "${strategy}" is not valid: expected Name, NetworkAddress or DefaultRoute`,
        this.location(where),
      );
      return undefined;
    }
    const location = this.location(strategyPair?.value);
    this.detections.push({ detection, location });
    return { text: this.detected(detection, path, location), location };
  }

  /** The detected interface, or (without a host to ask) a stand-in name and a warning. */
  private detected(detection: InterfaceDetection, path: string, location: SourceLocation): string {
    const key = detectionKey(detection);
    const answers = this.options.detected;
    if (answers?.has(key)) {
      const name = answers.get(key);
      if (name !== undefined) return name;
      this.issue('error', path, `interface detection found no interface: no ${describeDetection(detection).replace(/^the /, '')} on this host`, location);
    } else {
      this.issue('warning', path, `interface detection (${describeDetection(detection)}) happens when vrrpd starts on the host; not checked here`, location);
    }
    // Distinct stand-ins for distinct detections, so VRID checks still see which instances share a link.
    // Stand-ins are valid interface names (at most 15 characters, no "/", ":" or space).
    let placeholder = this.placeholders.get(key);
    if (placeholder === undefined) {
      const networks = [...this.placeholders.keys()].filter((k) => k.startsWith('NetworkAddress/')).length;
      placeholder = detection.strategy === 'DefaultRoute' ? (detection.family === 'ipv4' ? '(DefaultRoute)' : '(DefaultRoute6)') : `(Network${networks + 1})`;
      this.placeholders.set(key, placeholder);
    }
    return placeholder;
  }

  /** `virtualIPAddresses`: "addr[/len] [dev X] ..." strings or {address, interface, label, ...} maps. */
  private addresses(pair: Pair<Node, Node | null>, keyword: string, out: Statement[], path: string, family: AddressFamily): void {
    const children: Statement[] = [];
    this.items(pair.value, this.keyText(pair), path).forEach((item, index) => {
      const at = `${path}[${index}]`;
      const node = this.resolve(item);
      if (!this.yaml.isMap(node)) {
        const text = this.scalarText(node, `${this.keyText(pair)}[${index}]`, at);
        const parts = text === undefined ? [] : this.split(text, node);
        if (parts[0]) children.push({ keyword: parts[0], args: parts.slice(1), children: undefined });
        return;
      }
      const map = node as YAMLMap<Node, Node | null>;
      const address = map.items.find((p) => this.keyText(p) === 'address');
      const addressText = this.scalarText(address?.value, 'address', at);
      if (addressText === undefined) {
        this.issue('error', at, `${this.keyText(pair)}[${index}] needs address`, this.location(node));
        return;
      }
      const args: Word[] = [];
      const addressFamily = familyOf(addressText.split('/')[0] ?? '') ?? family;
      for (const option of map.items) {
        const key = this.keyText(option);
        if (key === 'address') continue;
        if (key === 'interface' || key === 'dev' || key === 'device') {
          const name = this.interfaceName(option.value, at, addressFamily, key);
          if (name) args.push(this.word('dev', option.key), name);
        } else if (key === 'label' || key === 'scope' || key === 'brd' || key === 'broadcast') {
          const text = this.scalarText(option.value, key, at);
          if (text !== undefined) args.push(this.word(key, option.key), this.word(text, option.value));
        } else if (key === 'noDad' || key === 'noTrack') {
          if (this.boolean(option, at)) args.push(this.word(key === 'noDad' ? 'no_dad' : 'no_track', option.key));
        } else {
          const suggestion = nearest(key, ['address', 'interface', 'dev', 'label', 'scope', 'brd', 'noDad', 'noTrack']);
          this.issue('warning', at, `unknown key "${key}" in ${this.keyText(pair)}[${index}]${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ignored`, this.location(option.key));
        }
      }
      children.push({ keyword: this.word(addressText, address?.value), args, children: undefined });
    });
    out.push({ keyword: this.word(keyword, pair.key), args: [], children });
  }

  /** `virtualRoutes` / `virtualRules`: a list of lines as keepalived writes them inside the block. */
  private lines(pair: Pair<Node, Node | null>, keyword: string, out: Statement[], path: string): void {
    const children: Statement[] = [];
    this.items(pair.value, this.keyText(pair), path).forEach((item, index) => {
      const node = this.resolve(item);
      const parts = this.split(this.scalarText(node, `${this.keyText(pair)}[${index}]`, path) ?? '', node);
      if (parts[0]) children.push({ keyword: parts[0], args: parts.slice(1), children: undefined });
    });
    out.push({ keyword: this.word(keyword, pair.key), args: [], children });
  }

  /** Lists of `name [option value]...` entries: strings as keepalived writes them, or maps. */
  private entries(pair: Pair<Node, Node | null>, keyword: string, head: string, keys: Readonly<Record<string, 'value' | 'reverse'>>, out: Statement[], path: string): void {
    const children: Statement[] = [];
    this.items(pair.value, this.keyText(pair), path).forEach((item, index) => {
      const node = this.resolve(item);
      const what = `${this.keyText(pair)}[${index}]`;
      if (!this.yaml.isMap(node)) {
        const parts = this.split(this.scalarText(node, what, path) ?? '', node);
        if (parts[0]) children.push({ keyword: parts[0], args: parts.slice(1), children: undefined });
        return;
      }
      const map = node as YAMLMap<Node, Node | null>;
      const first = map.items.find((p) => this.keyText(p) === head);
      const text = this.scalarText(first?.value, head, path);
      if (text === undefined) {
        this.issue('error', path, `${what} needs ${head}`, this.location(node));
        return;
      }
      const args: Word[] = [];
      for (const option of map.items) {
        const key = this.keyText(option);
        if (key === head) continue;
        const kind = keys[key];
        if (kind === 'reverse') {
          const on = this.boolean(option, path);
          if (on !== undefined) args.push(this.word(on ? 'reverse' : 'noreverse', option.key));
        } else if (kind === 'value') {
          const valueText = this.scalarText(option.value, key, path);
          if (valueText !== undefined) args.push(this.word(snakeCase(key), option.key), this.word(valueText, option.value));
        } else {
          const suggestion = nearest(key, [head, ...Object.keys(keys)]);
          this.issue('warning', path, `unknown key "${key}" in ${what}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; ignored`, this.location(option.key));
        }
      }
      // keepalived wants the weight before reverse.
      args.sort((a, b) => Number(a.text === 'reverse' || a.text === 'noreverse') - Number(b.text === 'reverse' || b.text === 'noreverse'));
      children.push({ keyword: this.word(text, first?.value), args, children: undefined });
    });
    out.push({ keyword: this.word(keyword, pair.key), args: [], children });
  }

  /** A list of names as a block of one name a line: `group { VI_1 VI_2 }`, `interfaces { eth0 eth1 }`. */
  private nameBlock(keyword: string, what: string, path: string): Extract<Spec, { kind: 'custom' }> {
    return {
      kind: 'custom',
      read: (pair, out) => {
        const names = this.items(pair.value, keyword, path).map((item) => this.word(this.scalarText(item, what, path) ?? '', item));
        out.push({ keyword: this.word(keyword, pair.key), args: [], children: names.filter((name) => name.text !== '').map((name) => ({ keyword: name, args: [], children: undefined })) });
      },
    };
  }
}

/** Every key a header may use: known keys of the block besides its keywords'. */
function headerKeysOf(header: YamlHeader | undefined): string[] {
  return (header ?? []).flatMap((keys) => keys.map((key) => key.key));
}

/** The weight `reverse: true` qualifies when the block gives none: its field's default. */
function defaultWeight(keyword: Keyword<object, unknown>): string {
  const spec = keyword.field?.default;
  const value = spec?.kind === 'value' ? (spec.value as { readonly weight?: unknown }).weight : undefined;
  return String(value ?? 0);
}
