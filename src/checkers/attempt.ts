// One attempt of a check: a connection (or an exchange of datagrams) bounded as a whole by
// connect_timeout on the injected clock, ending in a success or a typed failure. Sockets come
// from the CheckerIo port; nothing here waits on anything but events and timers.
import { randomBytes, randomInt } from 'node:crypto';
import { INDEPENDENT_OF_PACKETS, type Clock, type ClockTimer, type TimerHandle } from '../core/clock.js';
import { encodeDnsQuery, readDnsAnswer } from './dns.js';
import type { CheckFailure, Stage } from './failure.js';
import { HttpResponseReader, httpRequest } from './http.js';
import { ECHO_DATA_BYTES, encodeEchoRequest, readEchoMessage } from './icmp.js';
import type { CheckerIo, IoError, StreamOptions } from './io.js';
import { SmtpConversation } from './smtp.js';
import type { CheckSpec, DnsCheckSpec, Endpoint, HttpCheckSpec, HttpUrl, PingCheckSpec, SmtpCheckSpec, TcpCheckSpec, UdpCheckSpec } from './spec.js';
import { RANDOM_PAYLOAD_BYTES, udpReplyProblem } from './udp.js';

export type AttemptOutcome =
  | { readonly ok: true; readonly detail: string }
  /** `url`: which of several HTTP urls failed. */
  | { readonly ok: false; readonly failure: CheckFailure; readonly url?: string };

export interface AttemptContext {
  readonly io: CheckerIo;
  readonly clock: Clock;
  /** Random bytes (UDP payloads) and DNS IDs; tests make them fixed. */
  readonly random?: { bytes(count: number): Uint8Array; id(): number };
  /** The next ICMP sequence number of this checker. */
  readonly nextSequence?: () => number;
  /** The checker's attempts' deadline timer, made once (AttemptDeadline); without it each attempt sets a timer of its own. */
  readonly deadline?: AttemptDeadline;
}

/**
 * A checker's attempts run one after another, so one clock timer can bound them all: made at the
 * first attempt and armed again for each, instead of a timer, its queue entry, its options and its
 * handle made and dropped per attempt (the allocations and JavaScript of a check's timeout were
 * ~0.5 ms of main-thread CPU per second at one SSL_GET every 100 ms, --cpu-prof, bench/RESULTS.md
 * "fourteenth sitting"). An attempt that starts while another holds it (not one of a checker's own
 * runs) sets a timer of its own, as before.
 */
export class AttemptDeadline implements TimerHandle {
  private timer: ClockTimer | undefined;
  private expire: (() => void) | undefined;

  constructor(private readonly clock: Clock) {}

  /** Armed for `expire` in `ms`: the attempt's handle, or undefined while another attempt holds it. */
  claim(ms: number, expire: () => void): TimerHandle | undefined {
    if (this.expire) return undefined;
    this.expire = expire;
    (this.timer ??= this.clock.createTimer(this.fire, INDEPENDENT_OF_PACKETS)).arm(ms);
    return this;
  }

  /** The attempt settled: free for the next. */
  cancel(): void {
    this.expire = undefined;
    this.timer?.disarm();
  }

  private readonly fire = (): void => {
    const expire = this.expire;
    this.expire = undefined;
    expire?.();
  };
}

const defaultRandom = { bytes: (count: number): Uint8Array => randomBytes(count), id: (): number => randomInt(0, 0x10000) };

/** The socket error as a failure at this stage. */
export function ioFailure(error: IoError, stage: Stage, received?: number): CheckFailure {
  const withBytes = received === undefined ? {} : { received };
  switch (error.code) {
    case 'ECONNREFUSED':
      return { reason: 'refused' };
    case 'ECONNRESET':
    case 'EPIPE':
      return { reason: 'reset', stage, ...withBytes };
    case 'EHOSTUNREACH':
      return { reason: 'unreachable', detail: 'host unreachable' };
    case 'ENETUNREACH':
      return { reason: 'unreachable', detail: 'network unreachable' };
    case 'EADDRNOTAVAIL':
      return { reason: 'socket', code: error.code, detail: `cannot use the source address: ${error.message}` };
    default:
      return { reason: 'socket', code: error.code, detail: error.message };
  }
}

/**
 * Runs `start` with a deadline: it calls `settle` once with the outcome; when the deadline comes
 * first, `timedOut` gives the outcome (with the deadline, not the time measured: a loaded host
 * fires a timer a little late, and the reason should name the configured bound). `cleanup` runs
 * either way (closes the socket), and an abort (the caller stopping, a vrrp_script timeout shorter
 * than connect_timeout) settles at once with the timeout's outcome after the time it did run.
 */
function bounded(
  { clock, deadline }: AttemptContext,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  start: (settle: (outcome: AttemptOutcome) => void) => { cleanup(): void; timedOut(afterMs: number): AttemptOutcome },
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    let done = false;
    let hooks: { cleanup(): void; timedOut(afterMs: number): AttemptOutcome } | undefined;
    const settle = (outcome: AttemptOutcome): void => {
      if (done) return;
      done = true;
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      hooks?.cleanup();
      resolve(outcome);
    };
    const onTimeout = (): void => {
      if (hooks) settle(hooks.timedOut(timeoutMs));
    };
    const started = clock.now();
    const onAbort = (): void => {
      if (hooks) settle(hooks.timedOut(clock.now() - started));
    };
    const timer = deadline?.claim(timeoutMs, onTimeout) ?? clock.setTimer(timeoutMs, onTimeout, INDEPENDENT_OF_PACKETS);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      hooks = start(settle);
    } catch (error) {
      // Nothing of this attempt may stay on a signal that serves many runs (TrackCheck.releasesSignal).
      timer.cancel();
      signal?.removeEventListener('abort', onAbort);
      throw error;
    }
    // Settled while starting (a port reporting an error at once): close what was opened.
    if (done) hooks.cleanup();
    else if (signal?.aborted) onAbort();
  });
}

function connectionOptions(endpoint: Endpoint) {
  return {
    address: endpoint.address,
    family: endpoint.family,
    port: endpoint.port,
    ...(endpoint.bindTo !== undefined ? { localAddress: endpoint.bindTo } : {}),
    ...(endpoint.bindPort !== undefined ? { localPort: endpoint.bindPort } : {}),
    ...(endpoint.bindInterface !== undefined ? { interfaceName: endpoint.bindInterface } : {}),
  };
}

export function runAttempt(spec: CheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  switch (spec.type) {
    case 'HTTP_GET':
    case 'SSL_GET':
      return httpAttempt(spec, context, signal);
    case 'TCP_CHECK':
      return tcpAttempt(spec, context, signal);
    case 'DNS_CHECK':
      return dnsAttempt(spec, context, signal);
    case 'UDP_CHECK':
      return udpAttempt(spec, context, signal);
    case 'PING_CHECK':
      return pingAttempt(spec, context, signal);
    case 'SMTP_CHECK':
      return smtpAttempt(spec, context, signal);
  }
}

function tcpAttempt(spec: TcpCheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  const { io } = context;
  return bounded(context, spec.connectTimeoutMs, signal, (settle) => {
    const stream = io.openStream(connectionOptions(spec.endpoint), {
      connected: () => settle({ ok: true, detail: 'connected' }),
      data: () => undefined,
      end: () => undefined,
      error: (error) => settle({ ok: false, failure: ioFailure(error, 'connect') }),
    });
    return { cleanup: () => stream.close(), timedOut: (afterMs) => ({ ok: false, failure: { reason: 'timeout', stage: 'connect', afterMs } }) };
  });
}

function smtpAttempt(spec: SmtpCheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  const { io } = context;
  return bounded(context, spec.connectTimeoutMs, signal, (settle) => {
    const conversation = new SmtpConversation(spec.heloName);
    let stage: Stage = 'connect';
    const stream = io.openStream(connectionOptions(spec.endpoint), {
      connected: () => (stage = 'reply'),
      data: (chunk) => {
        const step = conversation.push(chunk);
        if (step?.kind === 'send') stream.write(step.bytes);
        else if (step?.kind === 'passed') settle({ ok: true, detail: step.detail });
        else if (step?.kind === 'failed') settle({ ok: false, failure: { reason: 'smtp-reply', detail: step.detail } });
      },
      // keepalived: the server closing before it answered QUIT is a failure ("Read failure").
      end: () => settle({ ok: false, failure: { reason: 'closed', stage: 'reply', received: conversation.received } }),
      error: (error, during) => settle({ ok: false, failure: ioFailure(error, during === 'connect' ? 'connect' : 'reply', during === 'transfer' ? conversation.received : undefined) }),
    });
    return {
      cleanup: () => stream.close(),
      timedOut: (afterMs) => ({ ok: false, failure: { reason: 'timeout', stage, afterMs, ...(stage === 'reply' ? { received: conversation.received } : {}) } }),
    };
  });
}

function httpAttempt(spec: HttpCheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  // One url (the usual case): its outcome is the attempt's, without the loop's async frame.
  const only = spec.urls.length === 1 ? spec.urls[0] : undefined;
  return only !== undefined ? httpUrlAttempt(spec, only, context, signal) : httpUrlsAttempt(spec, context, signal);
}

async function httpUrlsAttempt(spec: HttpCheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  const passed: string[] = [];
  for (const url of spec.urls) {
    const outcome = await httpUrlAttempt(spec, url, context, signal);
    if (!outcome.ok) return spec.urls.length === 1 ? outcome : { ok: false, failure: outcome.failure, url: url.path };
    passed.push(spec.urls.length === 1 ? outcome.detail : `${url.path}: ${outcome.detail}`);
  }
  return { ok: true, detail: passed.join(', ') };
}

/** What each url's attempts send and where, made at its first attempt: the spec's fields never change. */
const prepared = new WeakMap<HttpUrl, { readonly spec: HttpCheckSpec; readonly request: Uint8Array; readonly options: StreamOptions }>();

function preparedAttempt(spec: HttpCheckSpec, url: HttpUrl): { readonly request: Uint8Array; readonly options: StreamOptions } {
  const known = prepared.get(url);
  if (known?.spec === spec) return known;
  const virtualhost = url.virtualhost ?? spec.virtualhost;
  const tls = spec.tls;
  const made = {
    spec,
    request: Buffer.from(httpRequest(url.path, spec.protocol, virtualhost, spec.endpoint), 'latin1'),
    options: {
      ...connectionOptions(spec.endpoint),
      ...(tls
        ? {
            tls: {
              ...(tls.sni && virtualhost !== undefined ? { servername: virtualhost } : {}),
              ...(tls.caFile !== undefined ? { caFile: tls.caFile } : {}),
            },
          }
        : {}),
    },
  };
  prepared.set(url, made);
  return made;
}

function httpUrlAttempt(spec: HttpCheckSpec, url: HttpUrl, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  const { io } = context;
  const { request, options } = preparedAttempt(spec, url);
  return bounded(context, spec.connectTimeoutMs, signal, (settle) => {
    const reader = new HttpResponseReader(url);
    let stage: Stage = 'connect';
    const stream = io.openStream(options, {
      handshaking: () => (stage = 'tls-handshake'),
      connected: () => {
        stage = 'response-header';
        stream.write(request);
      },
      data: (chunk) => {
        const verdict = reader.push(chunk);
        stage = reader.stage;
        if (verdict) settle(verdict.ok ? { ok: true, detail: success(verdict) } : { ok: false, failure: verdict.failure });
      },
      end: () => {
        const verdict = reader.end();
        settle(verdict.ok ? { ok: true, detail: success(verdict) } : { ok: false, failure: verdict.failure });
      },
      error: (error, during) => {
        if (during === 'handshake' && error.code !== 'ECONNRESET') settle({ ok: false, failure: { reason: 'tls', detail: error.message } });
        else settle({ ok: false, failure: ioFailure(error, during === 'connect' ? 'connect' : stage, during === 'transfer' ? reader.bytesReceived : undefined) });
      },
    });
    return {
      cleanup: () => stream.close(spec.tls?.compliant ?? false),
      timedOut: (afterMs) => {
        // A stream may tell the TLS handshake's start only when asked (io.ts): "during the TLS handshake".
        stream.reportStage?.();
        return { ok: false, failure: { reason: 'timeout', stage, afterMs, ...(stage.startsWith('response') ? { received: reader.bytesReceived } : {}) } };
      },
    };
  });
}

function success(verdict: { status: number; digest?: string }): string {
  return `HTTP status ${verdict.status}${verdict.digest !== undefined ? ', digest matches' : ''}`;
}

function dnsAttempt(spec: DnsCheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  const { io, random = defaultRandom } = context;
  const id = random.id();
  const query = encodeDnsQuery(id, spec.name, spec.queryType);
  return bounded(context, spec.connectTimeoutMs, signal, (settle) => {
    const socket = io.openDatagram(connectionOptions(spec.endpoint), {
      ready: () => socket.send(query),
      message: (bytes) => {
        const answer = readDnsAnswer(bytes, id);
        if (answer.kind === 'ignore') return;
        if (answer.rcode === 0) settle({ ok: true, detail: `DNS ${spec.queryType} ${spec.name}: NOERROR` });
        else settle({ ok: false, failure: { reason: 'dns-rcode', rcode: answer.rcode } });
      },
      error: (error) => settle({ ok: false, failure: ioFailure(error, 'reply') }),
    });
    return { cleanup: () => socket.close(), timedOut: (afterMs) => ({ ok: false, failure: { reason: 'timeout', stage: 'reply', afterMs } }) };
  });
}

function udpAttempt(spec: UdpCheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  const { io, random = defaultRandom } = context;
  const payload = spec.payload ?? random.bytes(RANDOM_PAYLOAD_BYTES);
  const expected = spec.requireReply;
  return bounded(context, spec.connectTimeoutMs, signal, (settle) => {
    const socket = io.openDatagram(connectionOptions(spec.endpoint), {
      ready: () => socket.send(payload),
      message: (bytes) => {
        const problem = expected ? udpReplyProblem(bytes, expected) : undefined;
        settle(problem ? { ok: false, failure: { reason: 'udp-reply', detail: problem } } : { ok: true, detail: `UDP reply of ${bytes.length} bytes` });
      },
      error: (error) => settle({ ok: false, failure: ioFailure(error, 'reply') }),
    });
    return {
      cleanup: () => socket.close(),
      // keepalived: without require_reply, silence is a success; only an ICMP error fails.
      timedOut: (afterMs) =>
        expected ? { ok: false, failure: { reason: 'timeout', stage: 'reply', afterMs } } : { ok: true, detail: `no reply and no ICMP error within ${Math.round(afterMs)} ms` },
    };
  });
}

function pingAttempt(spec: PingCheckSpec, context: AttemptContext, signal?: AbortSignal): Promise<AttemptOutcome> {
  const { io, nextSequence } = context;
  const family = spec.endpoint.family;
  const sequence = nextSequence?.() ?? 0;
  return bounded(context, spec.connectTimeoutMs, signal, (settle) => {
    const channel = io.openEcho(
      {
        address: spec.endpoint.address,
        family,
        ...(spec.endpoint.bindTo !== undefined ? { localAddress: spec.endpoint.bindTo } : {}),
        ...(spec.endpoint.bindInterface !== undefined ? { interfaceName: spec.endpoint.bindInterface } : {}),
      },
      {
        message: (bytes, source) => {
          const message = readEchoMessage(family, bytes);
          if (message.kind === 'other' || message.identifier !== channel.identifier || message.sequence !== sequence) return;
          if (message.kind === 'reply') {
            if (source === spec.endpoint.address) settle({ ok: true, detail: 'echo reply' });
          } else settle({ ok: false, failure: { reason: 'unreachable', detail: `${message.detail} (ICMP from ${source})` } });
        },
        error: (error) => settle({ ok: false, failure: ioFailure(error, 'reply') }),
      },
    );
    channel.send(encodeEchoRequest(family, channel.identifier, sequence, Buffer.alloc(ECHO_DATA_BYTES)));
    return { cleanup: () => channel.close(), timedOut: (afterMs) => ({ ok: false, failure: { reason: 'timeout', stage: 'reply', afterMs } }) };
  });
}
