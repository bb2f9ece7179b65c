// The configuration model of a checker block (man keepalived.conf, "Checkers"): HTTP_GET,
// SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK and SMTP_CHECK, as they stand inside a vrrp_script
// (and later a real_server). Loaders resolve every default, so what is here is what runs.
// Times in milliseconds; byte strings (UDP payloads) as lower-case hex.

export type CheckerType = 'HTTP_GET' | 'SSL_GET' | 'TCP_CHECK' | 'PING_CHECK' | 'DNS_CHECK' | 'UDP_CHECK' | 'SMTP_CHECK';
export const CHECKER_TYPES: readonly CheckerType[] = ['HTTP_GET', 'SSL_GET', 'TCP_CHECK', 'PING_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'SMTP_CHECK'];

/** keepalived's real_server checkers that a vrrp_script cannot hold, warned about there (the load balancer runs them). */
export const UNSUPPORTED_CHECKER_TYPES = ['MISC_CHECK', 'BFD_CHECK', 'FILE_CHECK'] as const;

/** What every checker has: keepalived's "generic connection options" and retry timing. */
export interface CheckerCommonConfig {
  /** `connect_ip`: where to check. Required in a vrrp_script (there is no real server to default to). */
  readonly connectIp: string;
  /** `connect_port`: default 80 for HTTP_GET, 443 for SSL_GET, 53 for DNS_CHECK, 25 for SMTP_CHECK; required for TCP_CHECK and UDP_CHECK; unused by PING_CHECK (0). */
  readonly connectPort: number;
  /** `bindto`: the source address. */
  readonly bindTo?: string;
  /** `bind_port`: the source port. */
  readonly bindPort?: number;
  /** `bind_if`: the interface (an IPv6 link-local connect_ip or bindto needs it). */
  readonly bindInterface?: string;
  /** `connect_timeout` (s): bounds each attempt as a whole. Default 5 s (keepalived). */
  readonly connectTimeoutMs: number;
  /**
   * `retry`: attempts after a failed one within one run. Default 0 in a vrrp_script: its `fall`
   * already asks for failures in a row (keepalived's 1, or 3 for DNS_CHECK, is for real servers,
   * which have no fall).
   */
  readonly retry: number;
  /** `delay_before_retry` (s). Default 3 s for HTTP_GET and SSL_GET, 1 s otherwise, the interval for DNS_CHECK (keepalived). */
  readonly delayBeforeRetryMs: number;
  /** `warmup` (s): the first run waits a random time up to this. Default 0 in a vrrp_script (instances wait for the first result). */
  readonly warmupMs: number;
  /** `delay_loop` (s): the time between checks; the vrrp_script's `interval` when it has none. */
  readonly delayLoopMs?: number;
  /** `alpha`: start failed, as `init_fail`. */
  readonly alpha: boolean;
  /** `log_all_failures`: log every failed run, not only changes of state. */
  readonly logAllFailures: boolean;
}

/** A `url { }` block. */
export interface HttpUrlConfig {
  readonly path: string;
  /** `digest`: 32 hex digits, lower case. */
  readonly digest?: string;
  /** `status_code`: sorted, merged inclusive ranges; default [[200, 299]]. */
  readonly statusCodes: ReadonlyArray<readonly [number, number]>;
  readonly virtualhost?: string;
}

export interface HttpCheckerConfig extends CheckerCommonConfig {
  readonly type: 'HTTP_GET' | 'SSL_GET';
  readonly urls: readonly HttpUrlConfig[];
  readonly virtualhost?: string;
  /** `http_protocol` 1.0 (default), 1.0C, 1.1. */
  readonly httpProtocol: '1.0' | '1.0C' | '1.1';
  /** `enable_sni` (SSL_GET). */
  readonly enableSni: boolean;
  /** `tls_compliant` (SSL_GET): close with close_notify. */
  readonly tlsCompliant: boolean;
  /** `fast_recovery`: vrrpd checks every url in every run anyway; accepted for compatibility. */
  readonly fastRecovery: boolean;
  /** vrrpd's `verify_certificate CAFILE` (SSL_GET): verify the server against this CA file; keepalived never verifies. */
  readonly verifyCertificate?: string;
}

export interface PlainCheckerConfig extends CheckerCommonConfig {
  readonly type: 'TCP_CHECK' | 'PING_CHECK';
}

export interface DnsCheckerConfig extends CheckerCommonConfig {
  readonly type: 'DNS_CHECK';
  /** `type`: A, NS, CNAME, SOA (default), MX, TXT, AAAA, RRSIG, DNSKEY. */
  readonly queryType: 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA' | 'RRSIG' | 'DNSKEY';
  /** `name`: default "." */
  readonly name: string;
}

export interface UdpCheckerConfig extends CheckerCommonConfig {
  readonly type: 'UDP_CHECK';
  /** `payload HEX`; random bytes when absent. */
  readonly payload?: string;
  /** `require_reply [HEX]`: a reply must come (and start with these bytes; `mask` has the X digits' bits). */
  readonly requireReply?: { readonly data?: string; readonly mask?: string };
  /** `min_reply_length`, default 0. */
  readonly minReplyLength: number;
  /** `max_reply_length`, default 255. */
  readonly maxReplyLength: number;
}

export interface SmtpCheckerConfig extends CheckerCommonConfig {
  readonly type: 'SMTP_CHECK';
  /** `helo_name`: what HELO says; keepalived's default is smtpchecker.keepalived.org. */
  readonly heloName: string;
}

export type CheckerConfig = HttpCheckerConfig | PlainCheckerConfig | DnsCheckerConfig | UdpCheckerConfig | SmtpCheckerConfig;

/**
 * What a real_server's checker takes from its real server, else its virtual server, else
 * keepalived's default, when its block does not say it (check_data.c: connect_ip and connect_port
 * are the real server's address and port; the timings and alpha come down from the blocks around).
 */
export const INHERITED_CHECKER_FIELDS = ['connectIp', 'connectPort', 'connectTimeoutMs', 'retry', 'delayBeforeRetryMs', 'warmupMs', 'delayLoopMs', 'alpha'] as const;
export type InheritedCheckerField = (typeof INHERITED_CHECKER_FIELDS)[number];
type Inheriting<C> = C extends CheckerConfig ? Omit<C, InheritedCheckerField> & Partial<Pick<C, InheritedCheckerField>> : never;

/**
 * A checker block of a real_server as read: its own defaults resolved (urls' status codes, DNS
 * type and name, ...), the inherited fields only when the block says them. The configuration's
 * resolution (validate-virtual-servers.ts) makes it a CheckerConfig.
 */
export type RealServerBuiltinChecker = Inheriting<CheckerConfig>;

/** keepalived's defaults for a checker inside a vrrp_script (see each field). */
export const CHECKER_DEFAULTS = {
  connectTimeoutMs: 5000,
  retry: 0,
  warmupMs: 0,
  httpProtocol: '1.0',
  statusCodes: [[200, 299]] as ReadonlyArray<readonly [number, number]>,
  dnsQueryType: 'SOA',
  dnsName: '.',
  minReplyLength: 0,
  maxReplyLength: 255,
  smtpHeloName: 'smtpchecker.keepalived.org',
  // SMTP_CHECK: in a real_server its port is the real server's (keepalived); in a vrrp_script, SMTP's.
  ports: { HTTP_GET: 80, SSL_GET: 443, DNS_CHECK: 53, PING_CHECK: 0, SMTP_CHECK: 25 } as Partial<Record<CheckerType, number>>,
} as const;

/** keepalived's delay_before_retry default: 3 s for HTTP_GET and SSL_GET, the delay_loop for DNS_CHECK, 1 s otherwise. */
export function defaultDelayBeforeRetryMs(type: CheckerType, intervalMs: number): number {
  if (type === 'HTTP_GET' || type === 'SSL_GET') return 3000;
  if (type === 'DNS_CHECK') return intervalMs;
  return 1000;
}

/** The longest one run can take: every attempt to its connect_timeout, with the waits between (the vrrp_script's default timeout). */
export function checkerRunBoundMs(checker: Pick<CheckerCommonConfig, 'connectTimeoutMs' | 'retry' | 'delayBeforeRetryMs'>): number {
  return (checker.retry + 1) * checker.connectTimeoutMs + checker.retry * checker.delayBeforeRetryMs;
}

/**
 * keepalived's read_hex_str: hex digits in pairs, a lone digit between spaces is one byte
 * ("Ab12f 3 456" is AB 12 0F 03 45 06); with `masks`, an X digit matches anything. Returns the
 * bytes and mask as hex, or undefined when it is not such a string.
 */
export function readHexString(text: string, masks: boolean): { data: string; mask?: string } | undefined {
  const data: number[] = [];
  const mask: number[] = [];
  let masked = false;
  for (const word of text.trim().split(/[ \t]+/)) {
    for (let i = 0; i < word.length; i += 2) {
      const pair = word.slice(i, i + 2);
      let value = 0;
      let ignore = 0;
      for (const digit of pair) {
        value <<= 4;
        ignore <<= 4;
        if (masks && (digit === 'x' || digit === 'X')) {
          ignore |= 0xf;
          masked = true;
        } else if (/^[0-9a-fA-F]$/.test(digit)) value |= parseInt(digit, 16);
        else return undefined;
      }
      data.push(value);
      mask.push(ignore);
    }
  }
  if (data.length === 0) return undefined;
  const hex = (bytes: number[]): string => bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return { data: hex(data), ...(masked ? { mask: hex(mask) } : {}) };
}
