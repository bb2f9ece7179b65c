// keepalived's checker blocks (man keepalived.conf, "Checkers"): HTTP_GET, SSL_GET, TCP_CHECK,
// PING_CHECK, DNS_CHECK, UDP_CHECK and SMTP_CHECK with their keywords, meanings and defaults, declared once
// for every block that runs them: a vrrp_script's checker (vrrp-script.ts) and a real_server's
// (virtual-server.ts). In a vrrp_script each type is a kind (checkerKind) whose value is a
// CheckerConfig with every default resolved, but the two that depend on where the block stands (a
// DNS_CHECK's delay_before_retry is its delay_loop, which in a vrrp_script is the interval: see
// resolveCheckerDefaults). In a real_server the same keywords make a RealServerBuiltinChecker
// (realServerChecker): what the block does not say of connect_ip, connect_port and the timings
// comes from the real server and virtual server once the whole file is read.
import { formatStatusCodes, parseStatusWord, statusCodes, type StatusCodes } from '../../core/status-codes.js';
import {
  CHECKER_DEFAULTS,
  defaultDelayBeforeRetryMs,
  readHexString,
  type CheckerConfig,
  type CheckerType,
  type DnsCheckerConfig,
  type HttpCheckerConfig,
  type HttpUrlConfig,
  INHERITED_CHECKER_FIELDS,
  type RealServerBuiltinChecker,
  type SmtpCheckerConfig,
  type UdpCheckerConfig,
} from '../checkers.js';
import { blockOf, BodyReader } from '../keepalived/block-reader.js';
import type { Statement } from '../keepalived/syntax.js';
import { declare } from './define.js';
import { address, flag, integer, lazyKeywords, oneOf, seconds, unimplemented, word } from './kinds.js';
import type { Keyword, Kind, Mutable, NestedBlock, Written } from './registry.js';

/** Every field a checker block can fill, before its defaults. */
export type CheckerDraft = Draft;
type Draft = Mutable<Partial<Omit<HttpCheckerConfig, 'type'> & Omit<DnsCheckerConfig, 'type'> & Omit<UdpCheckerConfig, 'type'> & Omit<SmtpCheckerConfig, 'type'>>>;
type UrlDraft = Mutable<Partial<HttpUrlConfig>>;

const MAX_SECONDS = 86_400;
const words = (...args: readonly string[]): Written => ({ args });

// ---- url { } ----

/** `status_code 200 300-399 ...`: codes and ranges, merged; several lines add up (keepalived's bitmap). */
const statusCodeKind: Kind<StatusCodes> = {
  read: (statement, at, current) => {
    if (statement.args.length === 0) {
      at.ctx.error(statement.keyword, at.path, 'status_code needs codes or ranges (200, 200-299)');
      return undefined;
    }
    at.ctx.locate(at.path, statement);
    const ranges: Array<readonly [number, number]> = [...(current ?? [])];
    for (const word of statement.args) {
      const range = parseStatusWord(word.text);
      if (range) ranges.push(range);
      else at.ctx.error(word, at.path, `status_code "${word.text}" is not valid: expected a code or a range of codes within 100..599 (200, 200-299)`);
    }
    return ranges.length > 0 ? statusCodes(ranges) : undefined;
  },
  write: (value) => words(...formatStatusCodes(value).split(' ')),
  yaml: { kind: 'words' },
  examples: () => [[[200, 200]], [[200, 299], [404, 404]]],
};

/** `digest HEX`: kept in lower case (genhash prints lower case; keepalived compares ignoring case). */
const digestKind: Kind<string> = {
  read: (statement, at) => at.ctx.argument(statement, at.path, 'an MD5 digest (vrrpd genhash prints it)')?.text.toLowerCase(),
  write: (value) => words(value),
  yaml: { kind: 'scalar' },
  examples: () => ['444bcb3a3fcf8389296c49467f27e1d6'],
};

const url = declare<UrlDraft, undefined>();
const URL_KEYWORDS = [
  url.keyword('path', word('a path (/readyz)', ['/healthz']), url.key('path'), { write: 'always' }),
  url.keyword('digest', digestKind, url.key('digest')),
  url.keyword('status_code', statusCodeKind, url.key('statusCodes', { default: CHECKER_DEFAULTS.statusCodes })),
  url.keyword('virtualhost', word('a host name', ['api.example.test']), url.key('virtualhost')),
];

export const URL_BLOCK: NestedBlock<UrlDraft, HttpUrlConfig> = {
  keywords: URL_KEYWORDS,
  finish: (draft) => ({
    path: draft.path ?? '',
    statusCodes: draft.statusCodes ?? CHECKER_DEFAULTS.statusCodes,
    ...(draft.digest !== undefined ? { digest: draft.digest } : {}),
    ...(draft.virtualhost !== undefined ? { virtualhost: draft.virtualhost } : {}),
  }),
  draft: (value) => ({ ...value }),
};

/** One url block's words. */
function urlBlock(value: HttpUrlConfig): Written {
  const draft = URL_BLOCK.draft(value);
  return { args: [], children: URL_KEYWORDS.flatMap((keyword) => keyword.write(draft, undefined) ?? []) };
}

/**
 * `url { path ...; digest ...; status_code ... }`, any number of them: each adds one, located at
 * `urls[N]`, and is written back as a block of its own.
 */
const urlKind: Kind<readonly HttpUrlConfig[]> = {
  read: (statement, at, current) => {
    const index = current?.length ?? 0;
    const path = `${at.path}[${index}]`;
    at.ctx.sourceMap.set(path, statement.keyword.location);
    const draft: UrlDraft = {};
    new BodyReader(URL_KEYWORDS, 'url').read(blockOf(statement, at.ctx, path), draft, path, at.ctx);
    const value = URL_BLOCK.finish(draft, statement, { ...at, path });
    return value === undefined ? current : [...(current ?? []), value];
  },
  write: (urls) => urls.map(urlBlock),
  yaml: { kind: 'blocks', block: URL_BLOCK as NestedBlock<object, unknown> },
  examples: () => [[{ path: '/healthz', statusCodes: [[200, 299]] }], [{ path: '/readyz', statusCodes: [[200, 200]], digest: '444bcb3a3fcf8389296c49467f27e1d6' }, { path: '/livez', statusCodes: [[200, 399]] }]],
};

// ---- UDP_CHECK's hex strings ----

/** `payload HEX`: keepalived's read_hex_str ("Ab12f 3 456"), kept as lower-case hex. */
const payloadKind: Kind<string> = {
  read: (statement, at) => {
    if (statement.args.length === 0) {
      at.ctx.error(statement.keyword, at.path, 'payload needs hex digits');
      return undefined;
    }
    at.ctx.locate(at.path, statement);
    const hex = readHexString(statement.args.map((word) => word.text).join(' '), false);
    if (!hex) at.ctx.error(statement.args[0]!, at.path, `payload "${statement.args.map((word) => word.text).join(' ')}" is not a hex string`);
    return hex?.data;
  },
  write: (value) => words(value),
  yaml: { kind: 'words' },
  examples: () => ['0001020304'],
};

/** `require_reply [HEX]`: a reply must come; with HEX it must start so (X digits match anything). */
const requireReplyKind: Kind<{ readonly data?: string; readonly mask?: string }> = {
  read: (statement, at) => {
    at.ctx.locate(at.path, statement);
    if (statement.args.length === 0) return {};
    const text = statement.args.map((word) => word.text).join(' ');
    const hex = readHexString(text, true);
    if (!hex) at.ctx.error(statement.args[0]!, at.path, `require_reply "${text}" is not a hex string (X digits match any)`);
    return hex;
  },
  write: (value) => {
    if (value.data === undefined) return words();
    // Masked nibbles back to X digits.
    const data = value.data.split('');
    const mask = value.mask?.split('') ?? [];
    return words(data.map((digit, i) => (mask[i] === 'f' ? 'X' : digit)).join(''));
  },
  yaml: { kind: 'word-or-flag' },
  examples: () => [{}, { data: '1234', mask: '00f0' }],
};

// ---- the checker blocks ----

const checker = declare<Draft, undefined>();
const { keyword, key, accepted } = checker;

function commonKeywords(type: CheckerType): Keyword<Draft, undefined>[] {
  const port = CHECKER_DEFAULTS.ports[type];
  // A DNS_CHECK's delay_before_retry defaults to where it stands (resolveCheckerDefaults): always written.
  const delay = type === 'DNS_CHECK' ? undefined : defaultDelayBeforeRetryMs(type, 0);
  return [
    keyword('connect_ip', address(['192.0.2.20', '2001:db8::20']), key('connectIp'), { write: 'always' }),
    ...(type === 'PING_CHECK' ? [] : [keyword('connect_port', integer(1, 65_535), key('connectPort', port !== undefined ? { default: port } : {}))]),
    keyword('bindto', address(['192.0.2.10']), key('bindTo')),
    ...(type === 'PING_CHECK' ? [] : [keyword('bind_port', integer(1, 65_535), key('bindPort'))]),
    keyword('bind_if', word('an interface name', ['eth0']), key('bindInterface')),
    keyword('connect_timeout', seconds(MAX_SECONDS), key('connectTimeoutMs', { default: CHECKER_DEFAULTS.connectTimeoutMs })),
    // nb_get_retry: keepalived's older spelling (HTTP_GET, SSL_GET).
    keyword('retry', integer(0, 1_000_000), key('retry', { default: CHECKER_DEFAULTS.retry }), { aliases: ['nb_get_retry'] }),
    keyword('delay_before_retry', seconds(MAX_SECONDS), key('delayBeforeRetryMs', delay !== undefined ? { default: delay } : {})),
    keyword('warmup', seconds(MAX_SECONDS), key('warmupMs', { default: CHECKER_DEFAULTS.warmupMs })),
    keyword('delay_loop', seconds(MAX_SECONDS), key('delayLoopMs')),
    keyword('alpha', flag(), key('alpha', { default: false })),
    keyword('log_all_failures', flag(), key('logAllFailures', { default: false })),
  ];
}

function typeKeywords(type: CheckerType): Keyword<Draft, undefined>[] {
  switch (type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      return [
        keyword('url', urlKind, key('urls', { default: [] }), { yaml: { key: 'urls', aliases: ['url'] } }),
        keyword('virtualhost', word('a host name', ['api.example.test']), key('virtualhost')),
        keyword('http_protocol', oneOf(['1.0', '1.0C', '1.1'] as const, '1.0, 1.0C or 1.1', { upper: true }), key('httpProtocol', { default: CHECKER_DEFAULTS.httpProtocol })),
        keyword('enable_sni', flag(), key('enableSni', { default: false })),
        keyword('tls_compliant', flag(), key('tlsCompliant', { default: false })),
        keyword('fast_recovery', flag(), key('fastRecovery', { default: false })),
        ...(type === 'SSL_GET' ? [keyword('verify_certificate', word('a CA file (PEM)', ['/etc/ssl/certs/ca-certificates.crt']), key('verifyCertificate'))] : []),
      ];
    case 'DNS_CHECK':
      return [
        keyword('type', oneOf(['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'] as const, 'A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG or DNSKEY', { upper: true }), key('queryType', { default: 'SOA' }), {
          yaml: { key: 'type' },
        }),
        keyword('name', word('a domain name', ['svc.example.test']), key('name', { default: CHECKER_DEFAULTS.dnsName })),
      ];
    case 'UDP_CHECK':
      return [
        keyword('payload', payloadKind, key('payload')),
        keyword('require_reply', requireReplyKind, key('requireReply')),
        keyword('min_reply_length', integer(0, 65_535), key('minReplyLength', { default: CHECKER_DEFAULTS.minReplyLength })),
        keyword('max_reply_length', integer(0, 65_535), key('maxReplyLength', { default: CHECKER_DEFAULTS.maxReplyLength })),
      ];
    case 'SMTP_CHECK':
      return [
        keyword('helo_name', word('a host name', ['lb1.example.test']), key('heloName', { default: CHECKER_DEFAULTS.smtpHeloName })),
        // keepalived 2.x still reads host { } sub-blocks but calls them deprecated ("Please define
        // additional checkers"): one SMTP_CHECK block per server is the way both read.
        accepted('host', unimplemented((name) => `${name} { } inside SMTP_CHECK is deprecated in keepalived and not supported: give each host an SMTP_CHECK block of its own; this one checks its own connect_ip and connect_port`)),
      ];
    case 'TCP_CHECK':
    case 'PING_CHECK':
      return [];
  }
}

/** The block's value from what it said: keepalived's defaults for the rest. */
function finishChecker(type: CheckerType, draft: Draft): CheckerConfig {
  const common = {
    connectIp: draft.connectIp ?? '',
    connectPort: type === 'PING_CHECK' ? 0 : (draft.connectPort ?? CHECKER_DEFAULTS.ports[type] ?? 0),
    ...(draft.bindTo !== undefined ? { bindTo: draft.bindTo } : {}),
    ...(draft.bindPort !== undefined ? { bindPort: draft.bindPort } : {}),
    ...(draft.bindInterface !== undefined ? { bindInterface: draft.bindInterface } : {}),
    connectTimeoutMs: draft.connectTimeoutMs ?? CHECKER_DEFAULTS.connectTimeoutMs,
    retry: draft.retry ?? CHECKER_DEFAULTS.retry,
    // DNS_CHECK without one: set where the block stands (resolveCheckerDefaults).
    delayBeforeRetryMs: draft.delayBeforeRetryMs ?? defaultDelayBeforeRetryMs(type, 0),
    warmupMs: draft.warmupMs ?? CHECKER_DEFAULTS.warmupMs,
    ...(draft.delayLoopMs !== undefined ? { delayLoopMs: draft.delayLoopMs } : {}),
    alpha: draft.alpha ?? false,
    logAllFailures: draft.logAllFailures ?? false,
  };
  switch (type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      return {
        type,
        ...common,
        urls: draft.urls ?? [],
        ...(draft.virtualhost !== undefined ? { virtualhost: draft.virtualhost } : {}),
        httpProtocol: draft.httpProtocol ?? CHECKER_DEFAULTS.httpProtocol,
        enableSni: draft.enableSni ?? false,
        tlsCompliant: draft.tlsCompliant ?? false,
        fastRecovery: draft.fastRecovery ?? false,
        ...(type === 'SSL_GET' && draft.verifyCertificate !== undefined ? { verifyCertificate: draft.verifyCertificate } : {}),
      };
    case 'DNS_CHECK':
      return { type, ...common, queryType: draft.queryType ?? CHECKER_DEFAULTS.dnsQueryType, name: draft.name ?? CHECKER_DEFAULTS.dnsName };
    case 'UDP_CHECK':
      return {
        type,
        ...common,
        ...(draft.payload !== undefined ? { payload: draft.payload } : {}),
        ...(draft.requireReply !== undefined ? { requireReply: draft.requireReply } : {}),
        minReplyLength: draft.minReplyLength ?? CHECKER_DEFAULTS.minReplyLength,
        maxReplyLength: draft.maxReplyLength ?? CHECKER_DEFAULTS.maxReplyLength,
      };
    case 'SMTP_CHECK':
      return { type, ...common, heloName: draft.heloName ?? CHECKER_DEFAULTS.smtpHeloName };
    case 'TCP_CHECK':
    case 'PING_CHECK':
      return { type, ...common };
  }
}

/**
 * A real_server's checker block from what it said: keepalived's defaults for its own keywords,
 * and the inherited ones (connect_ip, connect_port, connect_timeout, retry, delay_before_retry,
 * warmup, delay_loop, alpha) only when the block gives them.
 */
export function realServerChecker(type: CheckerType, draft: Draft): RealServerBuiltinChecker {
  const resolved: Record<string, unknown> = { ...finishChecker(type, draft) };
  for (const field of INHERITED_CHECKER_FIELDS) if (draft[field] === undefined) delete resolved[field];
  return resolved as unknown as RealServerBuiltinChecker;
}

/** One example of each type, for the test that walks every keyword. */
const EXAMPLES: Record<CheckerType, CheckerConfig> = {
  HTTP_GET: finishChecker('HTTP_GET', { connectIp: '192.0.2.20', urls: [{ path: '/healthz', statusCodes: [[200, 399]] }], connectTimeoutMs: 2000 }),
  SSL_GET: finishChecker('SSL_GET', { connectIp: '127.0.0.1', connectPort: 6443, urls: [{ path: '/readyz', statusCodes: [[200, 200]] }], enableSni: true, virtualhost: 'api.example.test' }),
  TCP_CHECK: finishChecker('TCP_CHECK', { connectIp: '2001:db8::20', connectPort: 5432 }),
  PING_CHECK: finishChecker('PING_CHECK', { connectIp: '192.0.2.1', connectTimeoutMs: 1000 }),
  DNS_CHECK: finishChecker('DNS_CHECK', { connectIp: '192.0.2.53', queryType: 'A', name: 'svc.example.test', delayBeforeRetryMs: 1000 }),
  UDP_CHECK: finishChecker('UDP_CHECK', { connectIp: '192.0.2.53', connectPort: 53, payload: '1234', requireReply: { data: '12' } }),
  SMTP_CHECK: finishChecker('SMTP_CHECK', { connectIp: '192.0.2.25', heloName: 'lb1.example.test' }),
};

const blocks = new Map<CheckerType, NestedBlock<Draft, CheckerConfig>>();

/** A checker type's block: its keywords, the value it makes, and the draft a value writes back as. */
export function checkerBlock(type: CheckerType): NestedBlock<Draft, CheckerConfig> {
  let block = blocks.get(type);
  if (!block) {
    const keywords = lazyKeywords(() => [...commonKeywords(type), ...typeKeywords(type)]);
    block = {
      get keywords() {
        return keywords();
      },
      finish: (draft) => finishChecker(type, draft),
      draft: (value) => ({ ...value }) as Draft,
    };
    blocks.set(type, block);
  }
  return block;
}

/**
 * The kind of a `HTTP_GET { ... }` (or other type's) block: read with its keywords into a
 * CheckerConfig; written back with them, each url block its own entry.
 */
export function checkerKind(type: CheckerType): Kind<CheckerConfig> {
  const block = checkerBlock(type);
  return {
    read: (statement, at) => {
      // A block replacing an earlier one (an error already): nothing of the earlier one's positions stays.
      for (const path of [...at.ctx.sourceMap.keys()]) if (path.startsWith(`${at.path}.`)) at.ctx.sourceMap.delete(path);
      at.ctx.sourceMap.set(at.path, statement.keyword.location);
      const draft: Draft = {};
      new BodyReader(block.keywords, type).read(blockOf(statement, at.ctx, at.path), draft, at.path, at.ctx);
      return block.finish(draft, statement, at);
    },
    write: (value) => {
      // The six checker keywords fill one field: each says only its own type.
      if (value.type !== type) return undefined;
      const draft = block.draft(value);
      return { args: [], children: block.keywords.flatMap((keyword) => keyword.write(draft, undefined) ?? []) };
    },
    yaml: { kind: 'block', block: block as NestedBlock<object, unknown> },
    examples: () => [EXAMPLES[type]],
  };
}

/**
 * The defaults that depend on where the block stands, once the block around it is read: a
 * DNS_CHECK's delay_before_retry is the check interval when it says none (keepalived: its
 * delay_loop). `statement` is the checker block's.
 */
export function resolveCheckerDefaults(value: CheckerConfig, statement: Statement, intervalMs: number): CheckerConfig {
  const said = (name: string): boolean => (statement.children ?? []).some((child) => child.keyword.text === name);
  if (value.type === 'DNS_CHECK' && !said('delay_before_retry')) return { ...value, delayBeforeRetryMs: intervalMs };
  return value;
}

/** Each checker block's YAML key (keepalived's upper-case keywords have no camelCase). */
export const CHECKER_YAML_KEYS: Readonly<Record<CheckerType, string>> = {
  HTTP_GET: 'httpGet',
  SSL_GET: 'sslGet',
  TCP_CHECK: 'tcpCheck',
  PING_CHECK: 'pingCheck',
  DNS_CHECK: 'dnsCheck',
  UDP_CHECK: 'udpCheck',
  SMTP_CHECK: 'smtpCheck',
};
