// Which built-in checker does what a check script does, for `vrrpd check`: a vrrp_script whose
// script is a plain curl of a url, or `nc -z` of a port, costs a process (and for HTTPS a TLS
// handshake in a new process) every interval; HTTP_GET, SSL_GET or TCP_CHECK do the same
// inside vrrpd. Only commands whose meaning is certain are matched: curl following redirects,
// sending a body, or piping its output somewhere is left alone.
import { splitCommandLine } from './command-line.js';

export interface CheckerSuggestion {
  readonly type: 'HTTP_GET' | 'SSL_GET' | 'TCP_CHECK' | 'UDP_CHECK';
  /** The checker block, keepalived.conf lines indented by four spaces a level. */
  readonly block: readonly string[];
  /** What the operator should know about the equivalence. */
  readonly notes: readonly string[];
}

const CURL_FLAGS = new Set(['-s', '--silent', '-S', '--show-error', '-f', '--fail', '--fail-with-body', '-k', '--insecure', '-4', '-6', '-q', '--no-progress-meter', '-g', '--globoff']);
const CURL_WITH_VALUE = new Set(['-o', '--output', '-m', '--max-time', '--connect-timeout', '-H', '--header', '-X', '--request', '--cacert', '-A', '--user-agent']);
const NC_WITH_VALUE = new Set(['-w', '-i']);

/** A single simple command inside `sh -c '...'` (no pipes, lists or redirections but to /dev/null). */
function unwrapShell(words: string[]): string[] | undefined {
  const shells = /^(\/usr)?\/bin\/(ba|da)?sh$|^(ba|da)?sh$/;
  if (!shells.test(words[0] ?? '') || words[1] !== '-c' || words.length !== 3) return words;
  const inner = (words[2] ?? '').replace(/\s*(>|1>|2>|&>)\s*\/dev\/null/g, '');
  if (/[|;&<>`$()]/.test(inner)) return undefined;
  try {
    return splitCommandLine(inner.trim());
  } catch {
    return undefined;
  }
}

const program = (word: string | undefined): string => (word ?? '').replace(/^.*\//, '');

/** The checker that does what this command line does, if it is a plain curl or nc check. */
export function suggestChecker(commandLine: string): CheckerSuggestion | undefined {
  let words: string[] | undefined;
  try {
    words = unwrapShell(splitCommandLine(commandLine));
  } catch {
    return undefined;
  }
  if (!words) return undefined;
  const name = program(words[0]);
  if (name === 'curl') return fromCurl(words.slice(1));
  if (name === 'nc' || name === 'ncat' || name === 'netcat') return fromNc(words.slice(1));
  return undefined;
}

/** An address connect_ip can take: an IP literal, or localhost (the loopback address). */
function connectAddress(host: string): { address: string; note?: string } | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(bare) || bare.includes(':')) return { address: bare };
  if (bare === 'localhost') return { address: '127.0.0.1', note: 'localhost is written as 127.0.0.1 (connect_ip takes an address)' };
  return undefined;
}

function fromCurl(args: string[]): CheckerSuggestion | undefined {
  let url: URL | undefined;
  let fail = false;
  let insecure = false;
  let timeout: string | undefined;
  let host: string | undefined;
  let caFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (CURL_FLAGS.has(arg) || /^-[sSfk46q]+$/.test(arg)) {
      if (arg === '-f' || arg === '--fail' || arg === '--fail-with-body' || (/^-[sSfk46q]+$/.test(arg) && arg.includes('f'))) fail = true;
      if (arg === '-k' || arg === '--insecure' || (/^-[sSfk46q]+$/.test(arg) && arg.includes('k'))) insecure = true;
      continue;
    }
    if (CURL_WITH_VALUE.has(arg)) {
      const value = args[++i];
      if (value === undefined) return undefined;
      if ((arg === '-o' || arg === '--output') && value !== '/dev/null') return undefined;
      if ((arg === '-X' || arg === '--request') && value !== 'GET') return undefined;
      if (arg === '-m' || arg === '--max-time' || (arg === '--connect-timeout' && timeout === undefined)) timeout = value;
      if (arg === '-H' || arg === '--header') {
        const match = /^host:\s*(\S+)\s*$/i.exec(value);
        if (!match) return undefined;
        host = match[1];
      }
      if (arg === '--cacert') caFile = value;
      continue;
    }
    if (arg.startsWith('-') || url) return undefined;
    try {
      url = new URL(arg);
    } catch {
      return undefined;
    }
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.hash) return undefined;
  const target = connectAddress(url.hostname);
  if (!target) return undefined;
  const ssl = url.protocol === 'https:';
  const port = url.port !== '' ? url.port : ssl ? '443' : '80';
  const seconds = timeout !== undefined && /^\d+(\.\d+)?$/.test(timeout) ? timeout : undefined;
  const notes: string[] = [];
  if (target.note) notes.push(target.note);
  // curl passes any status unless --fail, which fails from 400 on.
  const statusCodes = fail ? '100-399' : '100-599';
  notes.push(fail ? 'curl --fail passes any status below 400: status_code 100-399 says the same (keepalived would pass 200-299 alone)' : 'curl without --fail passes any HTTP status: status_code 100-599 says the same (keepalived would pass 200-299 alone)');
  const block = [
    `${ssl ? 'SSL_GET' : 'HTTP_GET'} {`,
    '    url {',
    `        path ${url.pathname}${url.search}`,
    `        status_code ${statusCodes}`,
    '    }',
    `    connect_ip ${target.address}`,
    `    connect_port ${port}`,
    ...(seconds !== undefined ? [`    connect_timeout ${seconds}`] : []),
    ...(host !== undefined ? [`    virtualhost ${host}`] : []),
  ];
  if (ssl && !insecure) {
    block.push(`    verify_certificate ${caFile ?? '/etc/ssl/certs/ca-certificates.crt'}`);
    notes.push('curl verifies the certificate unless --insecure: verify_certificate (vrrpd) does too; keepalived never verifies');
  }
  if (ssl && host !== undefined) block.push('    enable_sni');
  block.push('}');
  return { type: ssl ? 'SSL_GET' : 'HTTP_GET', block, notes };
}

function fromNc(args: string[]): CheckerSuggestion | undefined {
  let zero = false;
  let udp = false;
  let timeout: string | undefined;
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (NC_WITH_VALUE.has(arg)) {
      const value = args[++i];
      if (value === undefined) return undefined;
      if (arg === '-w') timeout = value;
      continue;
    }
    const attached = /^-w(\d+)$/.exec(arg);
    if (attached) {
      timeout = attached[1];
      continue;
    }
    if (/^-[zvnu46]+$/.test(arg)) {
      zero ||= arg.includes('z');
      udp ||= arg.includes('u');
      continue;
    }
    if (arg.startsWith('-')) return undefined;
    operands.push(arg);
  }
  if (!zero || operands.length !== 2) return undefined;
  const [host = '', port = ''] = operands;
  const target = connectAddress(host);
  if (!target || !/^\d+$/.test(port)) return undefined;
  const notes = target.note ? [target.note] : [];
  if (udp) notes.push('nc -zu reports success unless an ICMP port unreachable comes back, as UDP_CHECK does');
  return {
    type: udp ? 'UDP_CHECK' : 'TCP_CHECK',
    block: [`${udp ? 'UDP_CHECK' : 'TCP_CHECK'} {`, `    connect_ip ${target.address}`, `    connect_port ${port}`, ...(timeout !== undefined ? [`    connect_timeout ${timeout}`] : []), '}'],
    notes,
  };
}
