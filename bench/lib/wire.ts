// What the network showed: advertisements and gratuitous ARPs read out of a capture with tshark.
import { execFileSync } from 'node:child_process';

export interface WireAdvert {
  readonly t: number;
  readonly source: string;
  readonly vrid: number;
  readonly priority: number;
}

export interface WireGarp {
  readonly t: number;
  /** The announced address (ARP sender protocol address). */
  readonly address: string;
  readonly mac: string;
}

export interface Wire {
  readonly adverts: WireAdvert[];
  readonly garps: WireGarp[];
}

/** Epoch-ms timestamps; the capture's filter should be `ip proto 112 or arp`. */
export function readWire(file: string): Wire {
  const fields = ['frame.time_epoch', 'ip.src', 'vrrp.virt_rtr_id', 'vrrp.prio', 'arp.src.proto_ipv4', 'arp.dst.proto_ipv4', 'eth.src'];
  // Long captures: the tests' captureFields has execFileSync's 1 MB output limit.
  const out = execFileSync('tshark', ['-r', file, '-Y', 'vrrp or arp', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1024 * 1024 * 1024,
  }).trim();
  const rows = out === '' ? [] : out.split('\n').map((line) => line.split('\t'));
  const adverts: WireAdvert[] = [];
  const garps: WireGarp[] = [];
  for (const [time, source, vrid, priority, arpSrc, arpDst, mac] of rows) {
    const t = Number(time) * 1000;
    if (vrid) adverts.push({ t, source: source ?? '', vrid: Number(vrid), priority: Number(priority) });
    else if (arpSrc && arpSrc === arpDst) garps.push({ t, address: arpSrc, mac: mac ?? '' });
  }
  return { adverts, garps };
}

/** Gaps between consecutive advertisements of one source and VRID, in ms. */
export function advertGaps(adverts: readonly WireAdvert[], from?: { source?: string; vrid?: number }): number[] {
  const last = new Map<string, number>();
  const gaps: number[] = [];
  for (const a of adverts) {
    if (from?.source !== undefined && a.source !== from.source) continue;
    if (from?.vrid !== undefined && a.vrid !== from.vrid) continue;
    const key = `${a.source}|${a.vrid}`;
    const previous = last.get(key);
    if (previous !== undefined) gaps.push(a.t - previous);
    last.set(key, a.t);
  }
  return gaps;
}
