// A YAML configuration (every keepalived keyword in camelCase, plus Deckhouse's KeepalivedInstance
// `vrrpInstances` entries) onto keepalived statements whose words carry YAML positions. The
// keepalived loader then gives both formats one set of semantics, defaults and messages, and
// every issue a file:line:column in the YAML file.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ConfigIssue, SourceLocation } from '../issues.js';
import { familyOf, parseAddressWithPrefix } from '../addresses.js';
import { nearest } from '../suggest.js';
import type { AddressFamily } from '../model.js';
import { describeDetection, detectionKey, type DetectedInterfaces, type DetectionRequest, type InterfaceDetection } from '../interface-detection.js';
import type { Statement, Word } from '../keepalived/syntax.js';

export interface Translation {
  readonly statements: Statement[];
  readonly issues: ConfigIssue[];
  readonly detections: DetectionRequest[];
}

/** How a key's value becomes keepalived words. */
type Spec =
  | { readonly kind: 'value'; readonly keyword: string }
  | { readonly kind: 'words'; readonly keyword: string }
  | { readonly kind: 'flag'; readonly keyword: string }
  | { readonly kind: 'bool'; readonly keyword: string }
  | { readonly kind: 'script'; readonly keyword: string }
  | { readonly kind: 'custom'; readonly read: (pair: Pair<Node, Node | null>, out: Statement[], at: string) => void };

const value = (keyword: string): Spec => ({ kind: 'value', keyword });
const words = (keyword: string): Spec => ({ kind: 'words', keyword });
const flag = (keyword: string): Spec => ({ kind: 'flag', keyword });
const bool = (keyword: string): Spec => ({ kind: 'bool', keyword });
/** A script: its command line, or `{script: COMMAND LINE, user: USER [GROUP]}`. */
const script = (keyword: string): Spec => ({ kind: 'script', keyword });

/** keepalived keyword -> YAML key, for messages the keepalived loader words with its keywords. */
export function camelCase(keyword: string): string {
  return keyword.replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());
}

const GARP_KEYWORDS = [
  'garp_master_delay', 'garp_master_repeat', 'garp_master_refresh', 'garp_master_refresh_repeat',
  'garp_lower_prio_delay', 'garp_lower_prio_repeat', 'garp_interval', 'gna_interval',
];

const GLOBAL_KEYS: Record<string, Spec> = {
  routerId: value('router_id'),
  vrrpVersion: value('vrrp_version'),
  vrrpMcastGroup4: value('vrrp_mcast_group4'),
  vrrpMcastGroup6: value('vrrp_mcast_group6'),
  vrrpStartupDelay: value('vrrp_startup_delay'),
  vrrpStrict: bool('vrrp_strict'),
  vrrpCheckUnicastSrc: bool('vrrp_check_unicast_src'),
  vrrpLowerPrioNoAdvert: bool('vrrp_lower_prio_no_advert'),
  vrrpHigherPrioSendAdvert: bool('vrrp_higher_prio_send_advert'),
  vrrpNotifyPriorityChanges: bool('vrrp_notify_priority_changes'),
  enableScriptSecurity: bool('enable_script_security'),
  scriptUser: words('script_user'),
  notifyFifo: value('notify_fifo'),
  vrrpNotifyFifo: value('vrrp_notify_fifo'),
  notifyFifoScript: script('notify_fifo_script'),
  vrrpNotifyFifoScript: script('vrrp_notify_fifo_script'),
  maxAutoPriority: value('max_auto_priority'),
  ...Object.fromEntries(GARP_KEYWORDS.map((keyword) => [camelCase(`vrrp_${keyword}`), value(`vrrp_${keyword}`)])),
};

const NOTIFY_KEYS: Record<string, Spec> = {
  notifyMaster: script('notify_master'),
  notifyBackup: script('notify_backup'),
  notifyFault: script('notify_fault'),
  notifyStop: script('notify_stop'),
  notify: script('notify'),
  notifyMasterRxLowerPri: script('notify_master_rx_lower_pri'),
};

const SCRIPT_KEYS: Record<string, Spec> = {
  script: value('script'),
  interval: value('interval'),
  timeout: value('timeout'),
  weight: value('weight'),
  reverse: flag('reverse'),
  rise: value('rise'),
  fall: value('fall'),
  user: words('user'),
  initFail: flag('init_fail'),
};

const TRACK_FILE_KEYS: Record<string, Spec> = {
  file: value('file'),
  weight: value('weight'),
  reverse: flag('reverse'),
  initFile: words('init_file'),
};

const TRACK_PROCESS_KEYS: Record<string, Spec> = {
  process: words('process'),
  paramMatch: value('param_match'),
  fullCommand: flag('full_command'),
  weight: value('weight'),
  reverse: flag('reverse'),
  quorum: value('quorum'),
  quorumMax: value('quorum_max'),
  delay: value('delay'),
  forkDelay: value('fork_delay'),
  terminateDelay: value('terminate_delay'),
};

/** Keys whose value is a weight that `reverse: true` qualifies (keepalived: `weight N reverse`). */
const REVERSIBLE: Record<string, { readonly defaultWeight: string }> = {
  vrrp_script: { defaultWeight: '0' },
  track_file: { defaultWeight: '1' },
  vrrp_track_process: { defaultWeight: '0' },
};

/** Instance keywords, for rewording the keepalived loader's messages in YAML terms. */
const INSTANCE_KEYWORDS = [
  'virtual_router_id', 'advert_int', 'preempt_delay', 'no_accept', 'unicast_src_ip', 'mcast_src_ip', 'unicast_peer',
  'auth_type', 'auth_pass', 'virtual_ipaddress', 'virtual_ipaddress_excluded', 'track_interface', 'track_script',
  'track_file', 'track_process', 'dont_track_primary', 'lower_prio_no_advert', 'higher_prio_send_advert', 'notify_priority_changes', 'notify_deleted', 'use_vmac',
  'v3_checksum_as_v2', 'virtual_routes', 'virtual_rules', 'strict_mode', 'native_ipv6', 'check_unicast_src', 'min_ttl', 'max_ttl', 'sync_group_tracking_weight',
  ...GARP_KEYWORDS,
];

/** keepalived keywords with an underscore that YAML writes in camelCase. */
export const KEYWORDS_WITH_YAML_KEYS: ReadonlySet<string> = new Set(
  [GLOBAL_KEYS, NOTIFY_KEYS, SCRIPT_KEYS, TRACK_FILE_KEYS, TRACK_PROCESS_KEYS]
    .flatMap((specs) => Object.values(specs))
    .flatMap((spec) => (spec.kind === 'custom' ? [] : [spec.keyword]))
    .concat(INSTANCE_KEYWORDS)
    .filter((keyword) => keyword.includes('_')),
);

interface Options {
  readonly file: string;
  /** Answers to interface detection; without them detections are placeholders and warnings. */
  readonly detected?: DetectedInterfaces;
}

export function translateYaml(text: string, options: Options): Translation {
  return new Translator(text, options).run();
}

class Translator {
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document;
  private readonly statements: Statement[] = [];
  private readonly issues: ConfigIssue[] = [];
  private readonly detections: DetectionRequest[] = [];
  private readonly placeholders = new Map<string, string>();

  constructor(
    text: string,
    private readonly options: Options,
  ) {
    // uniqueKeys: a key written twice is an error (YAML 1.2 §3.2.1.1); 1.2 core schema: `yes` is a string.
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
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
    return isAlias(node) ? (node.resolve(this.doc) ?? null) : node;
  }

  /** The map a key holds, or an error saying what was expected. */
  private map(node: Node | null | undefined, what: string, path: string, owner: Node | null | undefined): YAMLMap<Node, Node | null> | undefined {
    const resolved = this.resolve(node);
    if (isMap(resolved)) return resolved as YAMLMap<Node, Node | null>;
    if (resolved === null || resolved === undefined || (isScalar(resolved) && resolved.value === null)) return undefined;
    this.issue('error', path, `${what} must be a mapping (key: value lines)`, this.location(resolved ?? owner));
    return undefined;
  }

  private items(node: Node | null | undefined, what: string, path: string): (Node | null)[] {
    const resolved = this.resolve(node);
    if (isSeq(resolved)) return resolved.items as (Node | null)[];
    if (resolved === null || resolved === undefined || (isScalar(resolved) && resolved.value === null)) return [];
    this.issue('error', path, `${what} must be a list`, this.location(resolved));
    return [];
  }

  /** A scalar's text, or undefined (with an error) for a list or mapping. */
  private scalarText(node: Node | null | undefined, what: string, path: string): string | undefined {
    const resolved = this.resolve(node);
    if (resolved === null || resolved === undefined) return undefined;
    if (!isScalar(resolved)) {
      this.issue('error', path, `${what} must be a single value, not a ${isSeq(resolved) ? 'list' : 'mapping'}`, this.location(resolved));
      return undefined;
    }
    if (resolved.value === null) return undefined;
    return String(resolved.value);
  }

  /** A scalar's text without reporting anything (the key's own spec reports problems). */
  private peek(node: Node | null | undefined): string | undefined {
    const resolved = this.resolve(node);
    return isScalar(resolved) && resolved.value !== null ? String(resolved.value) : undefined;
  }

  private keyText(pair: Pair<Node, Node | null>): string {
    const key = this.resolve(pair.key);
    return isScalar(key) ? String(key.value) : '';
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
      this.eachKey(root, 'root', 'spec', {
        vrrpInstances: { kind: 'custom', read: (pair) => this.instances(pair) },
        nodeSelector: { kind: 'custom', read: () => undefined },
        tolerations: { kind: 'custom', read: () => undefined },
      }, []);
      return;
    }
    this.eachKey(root, 'root', 'the configuration', {
      global: { kind: 'custom', read: (pair) => this.block('global_defs', undefined, pair, GLOBAL_KEYS, 'global') },
      vrrpScripts: { kind: 'custom', read: (pair) => this.namedBlocks(pair, 'vrrp_script', SCRIPT_KEYS, 'scripts') },
      trackFiles: { kind: 'custom', read: (pair) => this.namedBlocks(pair, 'track_file', TRACK_FILE_KEYS, 'trackFiles') },
      vrrpTrackProcesses: { kind: 'custom', read: (pair) => this.namedBlocks(pair, 'vrrp_track_process', TRACK_PROCESS_KEYS, 'trackProcesses') },
      vrrpInstances: { kind: 'custom', read: (pair) => this.instances(pair) },
      syncGroups: { kind: 'custom', read: (pair) => this.syncGroups(pair) },
      vrrpSyncGroups: { kind: 'custom', read: (pair) => this.syncGroups(pair) },
      garpGroups: { kind: 'custom', read: (pair) => this.garpGroups(pair) },
    }, []);
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

  private apply(spec: Spec, pair: Pair<Node, Node | null>, out: Statement[], path: string): void {
    const key = this.keyText(pair);
    if (spec.kind === 'custom') return spec.read(pair, out, path);
    const keyword = this.word(spec.keyword, pair.key);
    if (spec.kind === 'flag' || spec.kind === 'bool') {
      const on = this.boolean(pair, path);
      if (on === true) out.push({ keyword, args: [], children: undefined });
      else if (on === false && spec.kind === 'bool') out.push({ keyword, args: [this.word('false', pair.value)], children: undefined });
      return;
    }
    if (spec.kind === 'script') {
      const form = this.resolve(pair.value);
      if (isMap(form)) {
        const fields = new Map((form as YAMLMap<Node, Node | null>).items.map((item) => [this.keyText(item), item.value]));
        for (const item of (form as YAMLMap<Node, Node | null>).items) {
          if (!['script', 'user'].includes(this.keyText(item))) this.issue('warning', path, `unknown key "${this.keyText(item)}" in ${key}; ignored (script, user)`, this.location(item.key));
        }
        const command = this.scalarText(fields.get('script'), `${key}.script`, path);
        const user = fields.has('user') ? this.scalarText(fields.get('user'), `${key}.user`, path) : undefined;
        const args = command === undefined ? [] : [this.word(command, fields.get('script')), ...(user !== undefined ? this.split(user, fields.get('user')) : [])];
        out.push({ keyword, args, children: undefined });
        return;
      }
    }
    const text = this.scalarText(pair.value, key, path);
    const args = text === undefined ? [] : spec.kind === 'words' ? this.split(text, pair.value) : [this.word(text, pair.value)];
    out.push({ keyword, args, children: undefined });
  }

  private boolean(pair: Pair<Node, Node | null>, path: string): boolean | undefined {
    const node = this.resolve(pair.value);
    // `nopreempt:` with no value reads as keepalived's bare keyword.
    if (node === null || node === undefined || (isScalar(node) && node.value === null)) return true;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.issue('error', path, `${this.keyText(pair)} must be true or false`, this.location(node));
    return undefined;
  }

  /** "192.0.2.1/24 dev eth0" into words, each at its column (a plain one-line scalar). */
  private split(text: string, node: Node | null | undefined): Word[] {
    const base = this.location(node);
    const source = isScalar(node) && typeof node.source === 'string' && node.type === 'PLAIN' ? node.source : undefined;
    const result: Word[] = [];
    for (const match of text.matchAll(/\S+/g)) {
      const column = source === text ? base.column + (match.index ?? 0) : base.column;
      result.push({ text: match[0], location: { ...base, column } });
    }
    return result;
  }

  /** `global:` and the like: one block statement. */
  private block(keyword: string, name: Word | undefined, pair: Pair<Node, Node | null>, specs: Record<string, Spec>, path: string): Statement {
    const children: Statement[] = [];
    const map = this.map(pair.value, this.keyText(pair), path, pair.key);
    if (map) this.eachKey(map, path, this.keyText(pair), specs, children);
    const statement = { keyword: this.word(keyword, pair.key), args: name ? [name] : [], children };
    this.statements.push(statement);
    return statement;
  }

  /** `vrrpScripts: {chk: {...}}`: a mapping of name -> definition. */
  private namedBlocks(pair: Pair<Node, Node | null>, keyword: string, specs: Record<string, Spec>, root: string): void {
    const map = this.map(pair.value, this.keyText(pair), root, pair.key);
    if (!map) return;
    for (const entry of map.items) {
      const name = this.keyText(entry);
      const path = `${root}[${name}]`;
      const children: Statement[] = [];
      const body = this.map(entry.value, name, path, entry.key);
      if (body) this.eachKey(body, path, `${keyword} ${name}`, specs, children);
      this.mergeReverse(children, keyword);
      this.statements.push({ keyword: this.word(keyword, entry.key), args: [this.word(name, entry.key)], children });
    }
  }

  /** `weight: -20` with `reverse: true` is keepalived's `weight -20 reverse`. */
  private mergeReverse(children: Statement[], keyword: string): void {
    const reversible = REVERSIBLE[keyword];
    const reverseAt = children.findIndex((child) => child.keyword.text === 'reverse');
    if (!reversible || reverseAt < 0) return;
    const reverse = children[reverseAt]!;
    children.splice(reverseAt, 1);
    const weightAt = children.findIndex((child) => child.keyword.text === 'weight');
    const weight = children[weightAt];
    if (weight) children[weightAt] = { ...weight, args: [...weight.args, { text: 'reverse', location: reverse.keyword.location }] };
    else children.push({ keyword: { text: 'weight', location: reverse.keyword.location }, args: [{ text: reversible.defaultWeight, location: reverse.keyword.location }, { text: 'reverse', location: reverse.keyword.location }], children: undefined });
  }

  // ---- vrrpInstances ----

  private instances(pair: Pair<Node, Node | null>): void {
    this.items(pair.value, 'vrrpInstances', 'instances').forEach((item, index) => this.instance(item, index));
  }

  private instance(item: Node | null, index: number): void {
    const map = this.map(item, `vrrpInstances[${index}]`, 'instances', item);
    if (!map) {
      if (item === null || (isScalar(item) && item.value === null)) this.issue('error', 'instances', `vrrpInstances[${index}] is empty`, this.location(item));
      return;
    }
    const get = (key: string): Pair<Node, Node | null> | undefined => map.items.find((pair) => this.keyText(pair) === key);
    const nameNode = get('name');
    const idNode = get('virtualRouterId') ?? get('id');
    const nameText = this.peek(nameNode?.value);
    const idText = this.peek(idNode?.value);
    // Deckhouse names its instances after their VRID.
    const name = nameText ?? (idText !== undefined ? `instance_${idText}` : `vrrpInstances[${index}]`);
    const path = `instances[${name}]`;
    const family = this.instanceFamily(map);
    const children: Statement[] = [];
    const addressList = (keyword: string): Spec => ({ kind: 'custom', read: (p, out, at) => this.addresses(p, keyword, out, at, family) });
    const entries = (keyword: string, entryKeys: Record<string, 'value' | 'reverse'>): Spec => ({ kind: 'custom', read: (p, out, at) => this.entries(p, keyword, entryKeys, out, at) });
    const trackerKeys = { weight: 'value', reverse: 'reverse' } as const;
    const specs: Record<string, Spec> = {
      name: { kind: 'custom', read: () => undefined },
      state: value('state'),
      interface: { kind: 'custom', read: (p, out, at) => this.interfaceKey(p, out, at, family) },
      virtualRouterId: value('virtual_router_id'),
      id: value('virtual_router_id'),
      priority: value('priority'),
      advertInt: value('advert_int'),
      version: value('version'),
      nopreempt: flag('nopreempt'),
      // Deckhouse: `preempt: false` is keepalived's nopreempt.
      preempt: { kind: 'custom', read: (p, out, at) => {
        const on = this.boolean(p, at);
        if (on !== undefined) out.push({ keyword: this.word(on ? 'preempt' : 'nopreempt', p.key), args: [], children: undefined });
      } },
      preemptDelay: value('preempt_delay'),
      accept: flag('accept'),
      noAccept: flag('no_accept'),
      unicastSrcIp: value('unicast_src_ip'),
      mcastSrcIp: value('mcast_src_ip'),
      unicastPeer: entries('unicast_peer', { minTtl: 'value', maxTtl: 'value' }),
      unicastPeers: entries('unicast_peer', { minTtl: 'value', maxTtl: 'value' }),
      authentication: { kind: 'custom', read: (p, out, at) => {
        const body: Statement[] = [];
        const auth = this.map(p.value, 'authentication', at, p.key);
        if (auth) this.eachKey(auth, `${at}.authentication`, 'authentication', { authType: value('auth_type'), authPass: value('auth_pass') }, body);
        out.push({ keyword: this.word('authentication', p.key), args: [], children: body });
      } },
      virtualIpaddress: addressList('virtual_ipaddress'),
      virtualIPAddresses: addressList('virtual_ipaddress'),
      virtualIpaddressExcluded: addressList('virtual_ipaddress_excluded'),
      virtualIPAddressesExcluded: addressList('virtual_ipaddress_excluded'),
      virtualRoutes: { kind: 'custom', read: (p, out, at) => this.lines(p, 'virtual_routes', out, `${at}.virtualRoutes`) },
      virtualRules: { kind: 'custom', read: (p, out, at) => this.lines(p, 'virtual_rules', out, `${at}.virtualRules`) },
      trackInterface: entries('track_interface', trackerKeys),
      trackInterfaces: entries('track_interface', trackerKeys),
      trackScript: entries('track_script', trackerKeys),
      trackScripts: entries('track_script', trackerKeys),
      trackFile: entries('track_file', trackerKeys),
      trackFiles: entries('track_file', trackerKeys),
      trackProcess: entries('track_process', trackerKeys),
      trackProcesses: entries('track_process', trackerKeys),
      dontTrackPrimary: flag('dont_track_primary'),
      lowerPrioNoAdvert: bool('lower_prio_no_advert'),
      higherPrioSendAdvert: bool('higher_prio_send_advert'),
      notifyPriorityChanges: bool('notify_priority_changes'),
      // true, or the script to run as well.
      notifyDeleted: { kind: 'custom', read: (p, out, at) => {
        const node = this.resolve(p.value);
        if (isMap(node) || (isScalar(node) && typeof node.value === 'string')) this.apply(script('notify_deleted'), p, out, at);
        else if (this.boolean(p, at)) out.push({ keyword: this.word('notify_deleted', p.key), args: [], children: undefined });
      } },
      useVmac: { kind: 'custom', read: (p, out, at) => {
        const node = this.resolve(p.value);
        if (isScalar(node) && typeof node.value === 'string') out.push({ keyword: this.word('use_vmac', p.key), args: [this.word(node.value, node)], children: undefined });
        else if (this.boolean(p, at)) out.push({ keyword: this.word('use_vmac', p.key), args: [], children: undefined });
      } },
      v3ChecksumAsV2: flag('v3_checksum_as_v2'),
      debug: value('debug'),
      strictMode: bool('strict_mode'),
      nativeIpv6: flag('native_ipv6'),
      checkUnicastSrc: flag('check_unicast_src'),
      ...NOTIFY_KEYS,
      ...Object.fromEntries(GARP_KEYWORDS.map((keyword) => [camelCase(keyword), value(keyword)])),
    };
    this.eachKey(map, path, `vrrpInstances[${index}]`, specs, children);
    const keywordNode = nameNode?.value ?? item;
    this.statements.push({ keyword: this.word('vrrp_instance', item), args: [this.word(name, keywordNode)], children });
  }

  /** The family of the first virtual address written, which keepalived takes as the instance's. */
  private instanceFamily(map: YAMLMap<Node, Node | null>): AddressFamily {
    for (const pair of map.items) {
      const key = this.keyText(pair);
      if (key !== 'virtualIpaddress' && key !== 'virtualIPAddresses') continue;
      const list = this.resolve(pair.value);
      const first = isSeq(list) ? this.resolve(list.items[0] as Node | null) : undefined;
      const text = isScalar(first) ? String(first.value) : isMap(first) ? String((first.get('address') as unknown) ?? '') : '';
      return familyOf(text.split(/[\s/]/)[0] ?? '') ?? 'ipv4';
    }
    return 'ipv4';
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
    if (!isMap(resolved)) {
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
    const field = keyword === 'virtual_ipaddress' ? 'virtualAddresses' : 'excludedAddresses';
    const children: Statement[] = [];
    this.items(pair.value, this.keyText(pair), `${path}.${field}`).forEach((item, index) => {
      const at = `${path}.${field}[${index}]`;
      const node = this.resolve(item);
      if (!isMap(node)) {
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
  private entries(pair: Pair<Node, Node | null>, keyword: string, keys: Record<string, 'value' | 'reverse'>, out: Statement[], path: string): void {
    const head = keyword === 'unicast_peer' ? 'address' : 'name';
    const children: Statement[] = [];
    this.items(pair.value, this.keyText(pair), path).forEach((item, index) => {
      const node = this.resolve(item);
      const what = `${this.keyText(pair)}[${index}]`;
      if (!isMap(node)) {
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
          if (valueText !== undefined) args.push(this.word(key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), option.key), this.word(valueText, option.value));
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

  // ---- syncGroups ----

  private syncGroups(pair: Pair<Node, Node | null>): void {
    const map = this.map(pair.value, this.keyText(pair), 'syncGroups', pair.key);
    if (!map) return;
    const trackerKeys = { weight: 'value', reverse: 'reverse' } as const;
    const entries = (keyword: string): Spec => ({ kind: 'custom', read: (p, out, at) => this.entries(p, keyword, trackerKeys, out, at) });
    for (const entry of map.items) {
      const name = this.keyText(entry);
      const path = `syncGroups[${name}]`;
      const children: Statement[] = [];
      const body = this.map(entry.value, name, path, entry.key);
      if (body) {
        this.eachKey(body, path, `syncGroups.${name}`, {
          group: this.nameBlock('group', 'group member', `${path}.members`),
          trackScript: entries('track_script'),
          trackScripts: entries('track_script'),
          trackInterface: entries('track_interface'),
          trackInterfaces: entries('track_interface'),
          trackFile: entries('track_file'),
          trackFiles: entries('track_file'),
          trackProcess: entries('track_process'),
          trackProcesses: entries('track_process'),
          syncGroupTrackingWeight: flag('sync_group_tracking_weight'),
          ...NOTIFY_KEYS,
        }, children);
      }
      this.statements.push({ keyword: this.word('vrrp_sync_group', entry.key), args: [this.word(name, entry.key)], children });
    }
  }

  /** A list of names as a block of one name a line: `group { VI_1 VI_2 }`, `interfaces { eth0 eth1 }`. */
  private nameBlock(keyword: string, what: string, path: string): Spec {
    return {
      kind: 'custom',
      read: (pair, out) => {
        const names = this.items(pair.value, keyword, path).map((item) => this.word(this.scalarText(item, what, path) ?? '', item));
        out.push({ keyword: this.word(keyword, pair.key), args: [], children: names.filter((name) => name.text !== '').map((name) => ({ keyword: name, args: [], children: undefined })) });
      },
    };
  }

  // ---- garpGroups ----

  /** `garpGroups: [{garpInterval: 0.2, interfaces: [eth0, eth1]}]`, or `interface: eth0` for one. */
  private garpGroups(pair: Pair<Node, Node | null>): void {
    this.items(pair.value, 'garpGroups', 'garpGroups').forEach((item, index) => {
      const path = `garpGroups[${index}]`;
      const body = this.map(item, path, path, item);
      const children: Statement[] = [];
      if (body) {
        this.eachKey(body, path, path, {
          garpInterval: value('garp_interval'),
          gnaInterval: value('gna_interval'),
          interface: value('interface'),
          interfaces: this.nameBlock('interfaces', 'interface', `${path}.interfaces`),
        }, children);
      }
      this.statements.push({ keyword: this.word('garp_group', item), args: [], children });
    });
  }
}
