// Why a check failed, as a value: status and logs show describeFailure's text, metrics the
// reason alone (a small fixed set, so a label of it stays a handful of series).

/** Where in an attempt something went wrong. */
export type Stage = 'connect' | 'tls-handshake' | 'request' | 'response-header' | 'response-body' | 'reply';

export type CheckFailure =
  /** connect_timeout ran out; `received` bytes had come by then. */
  | { readonly reason: 'timeout'; readonly stage: Stage; readonly afterMs: number; readonly received?: number }
  /** TCP RST to the SYN, or ICMP port unreachable to a datagram. */
  | { readonly reason: 'refused' }
  /** The peer reset an established connection. */
  | { readonly reason: 'reset'; readonly stage: Stage; readonly received?: number }
  /** The peer closed before the response was complete. */
  | { readonly reason: 'closed'; readonly stage: Stage; readonly received: number }
  /** No route, host or network unreachable (ICMP or the local stack). */
  | { readonly reason: 'unreachable'; readonly detail: string }
  /** The TLS handshake failed (not TLS, protocol error, or a certificate that did not verify). */
  | { readonly reason: 'tls'; readonly detail: string }
  | { readonly reason: 'http-status'; readonly status: number; readonly expected: string }
  | { readonly reason: 'http-malformed'; readonly detail: string }
  | { readonly reason: 'http-header-too-large'; readonly limit: number }
  | { readonly reason: 'digest'; readonly got: string; readonly expected: string; readonly bodyBytes: number }
  /** A DNS answer with a response code other than NOERROR. */
  | { readonly reason: 'dns-rcode'; readonly rcode: number }
  | { readonly reason: 'udp-reply'; readonly detail: string }
  /** An SMTP reply with the wrong code, or no SMTP reply at all (checkers/smtp.ts). */
  | { readonly reason: 'smtp-reply'; readonly detail: string }
  /** Any other socket error (a bindto address that is not ours, EPERM, ...). */
  | { readonly reason: 'socket'; readonly code: string; readonly detail: string };

export type FailureReason = CheckFailure['reason'];

const STAGES: Record<Stage, string> = {
  connect: 'connecting',
  'tls-handshake': 'the TLS handshake',
  request: 'sending the request',
  'response-header': 'the response header',
  'response-body': 'the response body',
  reply: 'the reply',
};

/** DNS response codes by number (RFC 1035 §4.1.1, RFC 6895). */
const RCODES: Record<number, string> = { 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE' };

const bytes = (count: number | undefined): string => (count === undefined ? '' : ` (${count} byte${count === 1 ? '' : 's'} received)`);

/** A line a server sent, as a failure's detail quotes it: its first 80 characters, escaped as JSON. */
export function serverLine(line: string): string {
  return JSON.stringify(line.slice(0, 80));
}

export function describeFailure(failure: CheckFailure): string {
  switch (failure.reason) {
    case 'timeout':
      return `timed out after ${Math.round(failure.afterMs)} ms during ${STAGES[failure.stage]}${bytes(failure.received)}`;
    case 'refused':
      return 'connection refused';
    case 'reset':
      return `connection reset during ${STAGES[failure.stage]}${bytes(failure.received)}`;
    case 'closed':
      return failure.received === 0 ? 'connection closed with no response' : `connection closed during ${STAGES[failure.stage]}${bytes(failure.received)}`;
    case 'unreachable':
      return failure.detail;
    case 'tls':
      return `TLS handshake failed: ${failure.detail}`;
    case 'http-status':
      return `HTTP status ${failure.status} (expected ${failure.expected})`;
    case 'http-malformed':
      return `not an HTTP response: ${failure.detail}`;
    case 'http-header-too-large':
      return `no end of the HTTP response header in its first ${failure.limit} bytes`;
    case 'digest':
      return `MD5 digest ${failure.got} of the ${failure.bodyBytes}-byte body is not ${failure.expected}`;
    case 'dns-rcode':
      return `DNS answer with rcode ${failure.rcode}${RCODES[failure.rcode] ? ` (${RCODES[failure.rcode]})` : ''}`;
    case 'udp-reply':
    case 'smtp-reply':
      return failure.detail;
    case 'socket':
      return failure.detail;
  }
}
