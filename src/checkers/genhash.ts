// keepalived's genhash: fetch one url and print the MD5 digest of its body, the value HTTP_GET /
// SSL_GET's `digest` wants. Same options, same output (the digest, or the message keepalived's
// checker gives in genhash mode), same verbose hex dumps. The sockets come through the
// checkers' port; `vrrpd genhash` (src/cli/genhash.ts) wires it to the host.
import type { Clock, TimerHandle } from '../core/clock.js';
import { canonicalAddress } from '../core/address.js';
import { HttpResponseReader, httpRequest } from './http.js';
import type { CheckerIo, IoError } from './io.js';
import type { HttpProtocol } from './spec.js';
import { DEFAULT_STATUS_CODES } from '../core/status-codes.js';

export interface GenhashOptions {
  readonly ssl: boolean;
  readonly sni: boolean;
  readonly server: string;
  readonly family: 'ipv4' | 'ipv6';
  readonly port: number;
  readonly url: string;
  readonly virtualhost?: string;
  readonly verbose: boolean;
  readonly protocol: HttpProtocol;
  /** None: wait for ever, as genhash does. */
  readonly timeoutMs?: number;
}

export interface GenhashOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export type ParsedGenhash = { readonly kind: 'run'; readonly options: GenhashOptions } | { readonly kind: 'usage'; readonly message?: string };

export function genhashUsage(program: string): string {
  return (
    `Usage: ${program} COMMAND [OPTIONS]\n` +
    'Commands:\n' +
    '   -s server-address -p port -u url\n' +
    '   -S -s server-address -p port -u url\n' +
    '   -h\n\n' +
    'Options:\n' +
    'Either long or short options are allowed.\n' +
    '   --use-ssl         -S       Use SSL connection to remote server.\n' +
    '   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).\n' +
    '   --server          -s       Use the specified remote server address.\n' +
    '   --port            -p       Use the specified remote server port.\n' +
    '   --url             -u       Use the specified remote server url.\n' +
    '   --use-virtualhost -V       Use the specified virtualhost in GET query.\n' +
    '   --verbose         -v       Use verbose mode output.\n' +
    '   --help            -h       Display this short inlined help screen.\n' +
    '   --fwmark          -m       Use the specified FW mark.\n' +
    "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n" +
    "                                1.0c means 1.0 with 'Connection: close'\n" +
    '   --timeout         -t       Timeout in seconds\n'
  );
}

const LONG: Record<string, string> = {
  help: 'h',
  verbose: 'v',
  'use-ssl': 'S',
  'use-sni': 'I',
  server: 's',
  'use-virtualhost': 'V',
  port: 'p',
  url: 'u',
  fwmark: 'm',
  protocol: 'P',
  timeout: 't',
};
const WITH_ARGUMENT = new Set(['s', 'V', 'p', 'u', 'm', 'P', 't']);

/** genhash's command line (getopt_long, ":hvSs:V:p:u:m:P:t:I"), with its messages. */
export function parseGenhashArgs(args: readonly string[]): ParsedGenhash {
  if (args.length < 2) return { kind: 'usage' };
  const given = new Map<string, string>();
  const messages: string[] = [];
  let bad = false;
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg.startsWith('--') && arg.length > 2) {
      const [name = '', inline] = arg.slice(2).split(/=(.*)/s, 2);
      const short = LONG[name];
      if (!short) {
        messages.push(`Unknown option ${arg}`);
        bad = true;
        continue;
      }
      if (!WITH_ARGUMENT.has(short)) given.set(short, '');
      else if (inline !== undefined) given.set(short, inline);
      else if (i + 1 < args.length) given.set(short, args[++i] ?? '');
      else {
        messages.push(`Missing parameter for option --${name}`);
        bad = true;
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] ?? '';
        if (!'hvSsVpumPtI'.includes(letter)) {
          messages.push(`Unknown option -${letter}`);
          bad = true;
          continue;
        }
        if (!WITH_ARGUMENT.has(letter)) {
          if (letter === 'h') bad = true;
          given.set(letter, '');
          continue;
        }
        const rest = arg.slice(j + 1);
        if (rest !== '') given.set(letter, rest);
        else if (i + 1 < args.length) given.set(letter, args[++i] ?? '');
        else {
          messages.push(`Missing parameter for option -${letter}`);
          bad = true;
        }
        break;
      }
      continue;
    }
    positional.push(arg);
  }
  const usage = (message?: string): ParsedGenhash => ({ kind: 'usage', ...(message !== undefined ? { message } : {}) });
  const server = given.get('s');
  let family: 'ipv4' | 'ipv6' = 'ipv4';
  let address = '';
  if (server !== undefined) {
    const v4 = canonicalAddress('ipv4', server);
    const v6 = canonicalAddress('ipv6', server);
    if (!v4 && !v6) return usage(`server should be an IP, not ${server}`);
    family = v4 ? 'ipv4' : 'ipv6';
    address = v4 ?? v6 ?? '';
  }
  const portText = given.get('p');
  if (portText !== undefined && !(/^\d+$/.test(portText) && Number(portText) > 0 && Number(portText) <= 65535)) return usage(`invalid port number '${portText}'`);
  const protocolText = given.get('P');
  const protocols: Record<string, HttpProtocol> = { '1.0': '1.0', '1.0c': '1.0C', '1.0C': '1.0C', '1.1': '1.1' };
  if (protocolText !== undefined && !protocols[protocolText]) return usage(`invalid HTTP protocol version '${protocolText}'`);
  const timeoutText = given.get('t');
  if (timeoutText !== undefined && !/^[ \t]*\d+$/.test(timeoutText)) return usage(`invalid timeout '${timeoutText}'`);
  if (given.has('m')) return usage('vrrpd genhash cannot set a firewall mark (--fwmark): Node gives no SO_MARK');
  if (bad) return usage(messages.length > 0 ? messages.join('\n') : undefined);
  if (positional.length > 0) return usage(`Unexpected argument(s): ${positional.join(' ')}`);
  if (server === undefined || portText === undefined || !given.has('u')) return usage();
  const virtualhost = given.get('V');
  return {
    kind: 'run',
    options: {
      ssl: given.has('S'),
      sni: given.has('I'),
      server: address,
      family,
      port: Number(portText),
      url: given.get('u') ?? '/',
      ...(virtualhost !== undefined ? { virtualhost } : {}),
      verbose: given.has('v'),
      protocol: protocolText !== undefined ? (protocols[protocolText] ?? '1.0') : '1.0',
      ...(timeoutText !== undefined ? { timeoutMs: Number(timeoutText.trim()) * 1000 } : {}),
    },
  };
}

const DELIM = (title: string): string => `-----------------------[${title}]-----------------------\n`;
const HTTP_HEADER_HEXA = DELIM('    HTTP Header Buffer    ');
const HTTP_HEADER_ASCII = DELIM(' HTTP Header Ascii Buffer ');
const HTML_HEADER_HEXA = DELIM('        HTML Buffer        ');
const HTML_HASH = DELIM('    HTML hash resulting    ');
const HTML_HASH_FINAL = DELIM(' HTML hash final resulting ');

/** keepalived's dump_buffer: 16 bytes a line, decimal offset, hex with a dash after 8, then the printable ones. */
export function dumpBuffer(bytes: Uint8Array): string {
  const lines: string[] = [];
  for (let start = 0; start < bytes.length; start += 16) {
    const row = bytes.subarray(start, start + 16);
    let hex = '';
    for (let i = 0; i < 16; i++) {
      hex += i < row.length ? ` ${(row[i] ?? 0).toString(16).padStart(2, '0')}` : '   ';
      if (i === 7) hex += ' -';
    }
    const ascii = Array.from({ length: 16 }, (_, i) => (i < row.length ? ((row[i] ?? 0) >= 0x20 && (row[i] ?? 0) <= 0x7e ? String.fromCharCode(row[i] ?? 0) : '.') : ' ')).join('');
    lines.push(`${String(start & 0xffff).padStart(4, '0')} ${hex}   ${ascii}\n`);
  }
  return lines.join('');
}

/** Fetches the url as genhash does and prints what it prints; resolves with the exit status (0, as genhash, even on failure). */
export function genhash(options: GenhashOptions, io: CheckerIo, clock: Clock, out: GenhashOutput): Promise<number> {
  const started = clock.now();
  const reader = new HttpResponseReader({ statusCodes: DEFAULT_STATUS_CODES }, true);
  const request = Buffer.from(httpRequest(options.url, options.protocol, options.virtualhost, { address: options.server, family: options.family, port: options.port }), 'latin1');
  return new Promise((resolve) => {
    let stage: 'connect' | 'handshake' | 'response' = 'connect';
    let timer: TimerHandle | undefined;
    let done = false;
    let headerShown = false;
    const finish = (message?: { text: string; error?: boolean }): void => {
      if (done) return;
      done = true;
      timer?.cancel();
      stream.close();
      if (message) (message.error ? out.stderr : out.stdout)(`${message.text}\n`);
      if (options.verbose) out.stdout(`\nGlobal response time for [${options.url}] = ${Math.round((clock.now() - started) * 1000)} usecs\n`);
      resolve(0);
    };
    const arm = (): void => {
      if (options.timeoutMs === undefined) return;
      timer?.cancel();
      timer = clock.setTimer(options.timeoutMs, () => {
        if (stage !== 'response') finish({ text: 'Timeout connecting' });
        else if (options.ssl) finish({ text: 'Timeout SSL read' });
        else finish({ text: reader.bytesReceived === 0 ? 'Timeout WEB read' : 'Timeout HTTP read' });
      });
    };
    const connectFailure = (error: IoError): string => (error.code === 'ENETUNREACH' ? 'HTTP_CHECK - network unreachable' : 'Connection failed');
    const complete = (): void => {
      reader.end();
      if (!headerShown) return finish({ text: 'no data received from remote webserver', error: true });
      const digest = reader.parts().digest ?? '';
      if (options.verbose) out.stdout(`\n${HTML_HASH}${dumpBuffer(Buffer.from(digest, 'hex'))}${HTML_HASH_FINAL}`);
      finish({ text: digest });
    };
    const stream = io.openStream(
      {
        address: options.server,
        family: options.family,
        port: options.port,
        ...(options.ssl ? { tls: options.sni && options.virtualhost !== undefined ? { servername: options.virtualhost } : {} } : {}),
      },
      {
        handshaking: () => {
          stage = 'handshake';
        },
        connected: () => {
          stage = 'response';
          arm();
          stream.write(request);
        },
        data: (chunk) => {
          arm();
          const before = reader.parts();
          const hadHeader = headerShown;
          reader.push(chunk);
          if (!options.verbose) {
            headerShown ||= reader.stage === 'response-body';
            return;
          }
          if (!hadHeader) {
            out.stdout(HTTP_HEADER_HEXA);
            if (reader.stage === 'response-body') {
              headerShown = true;
              const header = reader.parts().header;
              out.stdout(`${dumpBuffer(header)}${HTTP_HEADER_ASCII}${Buffer.from(header).toString('latin1')}\n`);
              const bodyBytes = reader.parts().bodyBytes - before.bodyBytes;
              if (bodyBytes > 0) {
                const bodyStart = chunk.length - (reader.bytesReceived - header.length);
                out.stdout(`${HTML_HEADER_HEXA}${dumpBuffer(chunk.subarray(bodyStart, bodyStart + bodyBytes))}`);
              }
            }
            return;
          }
          const taken = reader.parts().bodyBytes - before.bodyBytes;
          if (taken > 0) out.stdout(dumpBuffer(Buffer.from(chunk).subarray(0, taken)));
        },
        end: complete,
        error: (error, during) => {
          if (during === 'connect') finish({ text: connectFailure(error) });
          else if (during === 'handshake') finish({ text: 'SSL handshake/communication error connecting to' });
          // keepalived: a plain read error ends with its message; over TLS what came is judged.
          else if (options.ssl) complete();
          else finish({ text: 'Read error with' });
        },
      },
    );
    // genhash's connect has the same timeout as its reads.
    arm();
  });
}
