// What a checker checks, in the checkers' own terms: keepalived's checker blocks (man
// keepalived.conf, "Checkers": HTTP_GET, SSL_GET, TCP_CHECK, PING_CHECK, DNS_CHECK, UDP_CHECK,
// SMTP_CHECK)
// after the configuration has resolved their defaults. The same specs serve a vrrp_script
// (src/tracking) and, later, a real_server of a virtual_server: nothing here knows about VRRP.
import type { AddressFamily } from '../core/address.js';
import type { StatusCodes } from '../core/status-codes.js';

/** Where a check goes and where it comes from (keepalived's "generic connection options"). */
export interface Endpoint {
  /** `connect_ip`, canonical text. */
  readonly address: string;
  readonly family: AddressFamily;
  /** `connect_port`; unused by PING_CHECK. */
  readonly port: number;
  /** `bindto`: the source address. */
  readonly bindTo?: string;
  /** `bind_port`: the source port (TCP and UDP). */
  readonly bindPort?: number;
  /** `bind_if`: the interface to send on; needed for an IPv6 link-local address. */
  readonly bindInterface?: string;
}

/** What every checker has besides its own options. */
export interface CheckCommon {
  readonly endpoint: Endpoint;
  /**
   * `connect_timeout`: bounds one attempt as a whole — connect, TLS handshake, request and
   * response. keepalived restarts it at each read, so a server trickling a byte at a time holds a
   * keepalived check for ever; here it cannot.
   */
  readonly connectTimeoutMs: number;
  /** `retry`: attempts after a failed one before the check counts as failed. */
  readonly retry: number;
  /** `delay_before_retry`: the wait before each retry. */
  readonly delayBeforeRetryMs: number;
}

/** One `url { }` block of HTTP_GET / SSL_GET. */
export interface HttpUrl {
  /** `path`: sent as it is in the request line. */
  readonly path: string;
  /** `digest`: MD5 of the body as genhash computes it, 32 lower-case hex digits. */
  readonly digest?: string;
  /** `status_code`: the codes that pass; keepalived's default is 200-299. */
  readonly statusCodes: StatusCodes;
  /** `virtualhost` of the url: the Host header (and SNI) for this url. */
  readonly virtualhost?: string;
}

/** `http_protocol`: 1.0C is 1.0 with `Connection: close`, which 1.1 sends too. */
export type HttpProtocol = '1.0' | '1.0C' | '1.1';

export interface TlsOptions {
  /** `enable_sni`: send the virtualhost as Server Name Indication. */
  readonly sni: boolean;
  /**
   * vrrpd's `verify_certificate CAFILE` (keepalived never verifies: health endpoints mostly have
   * self-signed certificates): the server's chain must lead to a certificate in this PEM file.
   */
  readonly caFile?: string;
  /** `tls_compliant` (keepalived 2.3): end with a close_notify alert instead of just closing. */
  readonly compliant: boolean;
}

export interface HttpCheckSpec extends CheckCommon {
  readonly type: 'HTTP_GET' | 'SSL_GET';
  /** Checked in order, each on its own connection; all must pass. */
  readonly urls: readonly HttpUrl[];
  /** The checker's `virtualhost`, for urls without their own. */
  readonly virtualhost?: string;
  readonly protocol: HttpProtocol;
  /** SSL_GET only. */
  readonly tls?: TlsOptions;
}

export interface TcpCheckSpec extends CheckCommon {
  readonly type: 'TCP_CHECK';
}

export interface PingCheckSpec extends CheckCommon {
  readonly type: 'PING_CHECK';
}

/** DNS_CHECK `type`s keepalived knows, with their RR type numbers (RFC 1035, 3596, 4034). */
export const DNS_TYPES = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28, RRSIG: 46, DNSKEY: 48 } as const;
export type DnsType = keyof typeof DNS_TYPES;

export interface DnsCheckSpec extends CheckCommon {
  readonly type: 'DNS_CHECK';
  /** `type`; keepalived's default is SOA. */
  readonly queryType: DnsType;
  /** `name`; keepalived's default is "." (the root). */
  readonly name: string;
}

/** UDP_CHECK `require_reply [HEX]`: a reply must come, of this length, matching these bytes. */
export interface UdpReply {
  /** Bytes the reply must start with (only as many as both have are compared). */
  readonly data?: Uint8Array;
  /** Bits set here are not compared (`X` digits in the hex string). */
  readonly mask?: Uint8Array;
  /** `min_reply_length`, default 0. */
  readonly minLength: number;
  /** `max_reply_length`, default 255. */
  readonly maxLength: number;
}

export interface UdpCheckSpec extends CheckCommon {
  readonly type: 'UDP_CHECK';
  /** `payload`; keepalived sends random bytes when there is none. */
  readonly payload?: Uint8Array;
  /** Without it, silence until the timeout is a success: only an ICMP error fails the check (keepalived). */
  readonly requireReply?: UdpReply;
}

export interface SmtpCheckSpec extends CheckCommon {
  readonly type: 'SMTP_CHECK';
  /** `helo_name`: what HELO says. */
  readonly heloName: string;
}

export type CheckSpec = HttpCheckSpec | TcpCheckSpec | PingCheckSpec | DnsCheckSpec | UdpCheckSpec | SmtpCheckSpec;
export type CheckType = CheckSpec['type'];

/**
 * The longest a check can take: every attempt to its connect_timeout, with the waits between.
 * Here rather than in checker.ts so that tracking (a vrrp_script's timeout) can read it without
 * loading the checkers themselves (node:crypto among their imports) at every start.
 */
export function checkBoundMs(spec: Pick<CheckSpec, 'connectTimeoutMs' | 'retry' | 'delayBeforeRetryMs'>): number {
  return (spec.retry + 1) * spec.connectTimeoutMs + spec.retry * spec.delayBeforeRetryMs;
}
