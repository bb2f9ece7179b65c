// HTTP_GET / SSL_GET on the wire, as keepalived's check_http.c speaks it: the request it sends,
// and an incremental reader of the response that decides as soon as the answer is known.
//
// keepalived reads every response to the end of the connection before judging it. This reader
// judges the status as soon as the header is in, and stops reading there when the url has no
// digest: a server sending 100 MB costs nothing more than its header. With a digest, the body
// is hashed as it arrives (never kept), up to Content-Length when the header gives one, else to
// the end of the connection, as genhash does; a chunked body is hashed with its chunk framing,
// as genhash hashes it.
import { createHash, type Hash } from 'node:crypto';
import { serverLine, type CheckFailure } from './failure.js';
import type { HttpProtocol, HttpUrl } from './spec.js';
import { formatStatusCodes, statusAccepted } from '../core/status-codes.js';

/** The most header we wait for: keepalived's buffer is 4 KiB; real headers are well under this. */
export const HEADER_LIMIT = 16384;

export interface RequestTarget {
  readonly address: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly port: number;
}

/**
 * keepalived's request, byte for byte: its User-Agent, `Connection: close` for 1.0C and 1.1, and
 * a Host of the virtualhost, else the address and port ("[v6]:port").
 */
export function httpRequest(path: string, protocol: HttpProtocol, virtualhost: string | undefined, target: RequestTarget): string {
  const host = virtualhost ?? (target.family === 'ipv6' ? `[${target.address}]:${target.port}` : `${target.address}:${target.port}`);
  const connection = protocol === '1.0' ? '' : 'Connection: close\r\n';
  return `GET ${path} HTTP/1.${protocol === '1.1' ? 1 : 0}\r\nUser-Agent: KeepAliveClient\r\n${connection}Host: ${host}\r\n\r\n`;
}

export type HttpVerdict =
  | { readonly ok: true; readonly status: number; readonly digest?: string; readonly bodyBytes?: number }
  | { readonly ok: false; readonly failure: CheckFailure; readonly status?: number };

/** What genhash needs besides the verdict: the header and the body's digest, whatever the status. */
export interface ResponseParts {
  readonly header: Uint8Array;
  readonly status: number | undefined;
  readonly contentLength: number | undefined;
  readonly bodyBytes: number;
  /** MD5 of the body (hex), when hashing was asked for. */
  readonly digest: string | undefined;
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * keepalived's extract_status_code: the three digits after the first space of the status line.
 * keepalived also wants a space after them; a status line with no reason phrase and no space
 * ("HTTP/1.1 200") is accepted here, as HTTP clients accept it.
 */
export function statusOf(statusLine: string): number | undefined {
  const match = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(statusLine);
  return match ? Number(match[1]) : undefined;
}

/** Content-Length of a header block; undefined when absent or not a plain number. */
export function contentLengthOf(headerText: string): number | undefined {
  const match = /\r\ncontent-length:[ \t]*(\d+)[ \t]*\r\n/i.exec(`${headerText}\r\n`);
  return match ? Number(match[1]) : undefined;
}

/**
 * Reads one response. push() and end() return a verdict once there is one; after that the
 * caller closes the connection and feeds nothing more.
 */
export class HttpResponseReader {
  private header: Buffer | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private status: number | undefined;
  private contentLength: number | undefined;
  private hash: Hash | undefined;
  private bodyBytes = 0;
  private received = 0;
  private verdict: HttpVerdict | undefined;

  /**
   * `collect`: genhash mode — hash the body whatever the url says and read to the end, so that
   * parts() has everything; the verdict is then only about getting a response at all.
   */
  constructor(
    private readonly url: Pick<HttpUrl, 'digest' | 'statusCodes'>,
    private readonly collect = false,
  ) {
    if (url.digest !== undefined || collect) this.hash = createHash('md5');
  }

  /** Bytes received so far (for timeout and reset reasons). */
  get bytesReceived(): number {
    return this.received;
  }

  /** The phase the response is in, for a timeout's reason. */
  get stage(): 'response-header' | 'response-body' {
    return this.header ? 'response-body' : 'response-header';
  }

  push(chunk: Uint8Array): HttpVerdict | undefined {
    if (this.verdict) return this.verdict;
    this.received += chunk.length;
    if (this.header) return this.body(chunk);
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.pendingBytes += chunk.length;
    // The usual response is in one chunk: no copy of it (the ports hand over chunks they never reuse).
    const buffered = this.pending.length === 0 ? bytes : Buffer.concat([...this.pending, bytes], this.pendingBytes);
    this.pending = [buffered];
    // The end of the header may straddle chunks: search from a little before the new bytes.
    const end = buffered.indexOf(CRLFCRLF, Math.max(0, this.pendingBytes - chunk.length - 3));
    if (end < 0) {
      if (this.pendingBytes > HEADER_LIMIT) return this.decide({ ok: false, failure: { reason: 'http-header-too-large', limit: HEADER_LIMIT } });
      return undefined;
    }
    if (end + 4 > HEADER_LIMIT) return this.decide({ ok: false, failure: { reason: 'http-header-too-large', limit: HEADER_LIMIT } });
    this.header = buffered.subarray(0, end + 4);
    this.pending = [];
    this.pendingBytes = 0;
    const text = this.header.toString('latin1');
    const statusLine = text.slice(0, text.indexOf('\r\n'));
    this.status = statusOf(statusLine);
    this.contentLength = contentLengthOf(text.slice(0, end));
    if (!this.collect) {
      if (this.status === undefined) return this.decide({ ok: false, failure: { reason: 'http-malformed', detail: `status line ${serverLine(statusLine)}` } });
      if (!statusAccepted(this.url.statusCodes, this.status)) {
        return this.decide({ ok: false, status: this.status, failure: { reason: 'http-status', status: this.status, expected: formatStatusCodes(this.url.statusCodes) } });
      }
      if (!this.hash) return this.decide({ ok: true, status: this.status });
    }
    return this.body(buffered.subarray(end + 4));
  }

  /** The peer closed the connection. */
  end(): HttpVerdict {
    if (this.verdict) return this.verdict;
    if (!this.header) {
      return this.decide({ ok: false, failure: { reason: 'closed', stage: 'response-header', received: this.received } });
    }
    return this.finish();
  }

  /** Everything read, for genhash. */
  parts(): ResponseParts {
    return {
      header: this.header ?? Buffer.concat(this.pending),
      status: this.status,
      contentLength: this.contentLength,
      bodyBytes: this.bodyBytes,
      digest: this.digestHex,
    };
  }

  private digestHex: string | undefined;

  private body(bytes: Uint8Array): HttpVerdict | undefined {
    if (!this.hash) return undefined;
    // keepalived hashes up to Content-Length and ignores what follows.
    const room = this.contentLength === undefined ? bytes.length : Math.max(0, this.contentLength - this.bodyBytes);
    const taken = Math.min(room, bytes.length);
    if (taken > 0) this.hash.update(bytes.subarray(0, taken));
    this.bodyBytes += taken;
    if (this.contentLength !== undefined && this.bodyBytes >= this.contentLength && !this.collect) return this.finish();
    return undefined;
  }

  private finish(): HttpVerdict {
    const status = this.status ?? 0;
    if (!this.hash) return this.decide({ ok: true, status });
    const digest = this.hash.digest('hex');
    this.hash = undefined;
    this.digestHex = digest;
    if (this.collect) return this.decide({ ok: true, status, digest, bodyBytes: this.bodyBytes });
    const expected = this.url.digest ?? '';
    if (digest !== expected) return this.decide({ ok: false, status, failure: { reason: 'digest', got: digest, expected, bodyBytes: this.bodyBytes } });
    return this.decide({ ok: true, status, digest, bodyBytes: this.bodyBytes });
  }

  private decide(verdict: HttpVerdict): HttpVerdict {
    this.verdict = verdict;
    return verdict;
  }
}
