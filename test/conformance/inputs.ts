// The inputs file of a conformance case, read into steps: which hosts there are (each with its
// keepalived.conf and its interfaces), then one timed input per line. The format is described in
// README.md beside this file; a line that does not fit it is an error with its line number.
import type { AddressFamily } from '../../src/core/address.js';
import { parseAdvert, type AdvertFields, type Fail } from './packet-text.js';

export interface HostDeclaration {
  readonly name: string;
  /** The keepalived.conf it starts with, relative to the case folder. */
  readonly config: string;
  /** Interface name -> its addresses with prefix (`192.0.2.1/24`, `fe80::1/64`), in order. */
  readonly interfaces: ReadonlyMap<string, readonly string[]>;
}

export interface PeerPacket {
  readonly source: string;
  readonly family: AddressFamily;
  readonly interfaceName: string;
  /** Absent: the VRRP multicast group of the family. */
  readonly destination?: string;
  readonly ttl: number;
  readonly packet: { readonly fields: AdvertFields } | { readonly hex: string };
  /** Sent again every `everyMs` until `untilMs` (inclusive). */
  readonly repeat?: { readonly everyMs: number; readonly untilMs: number };
}

export type HostCommand =
  | { readonly do: 'start' | 'sigterm' | 'crash' | 'status' }
  | { readonly do: 'reload'; readonly config: string }
  | { readonly do: 'link'; readonly interfaceName: string; readonly up: boolean }
  | { readonly do: 'address'; readonly change: 'add' | 'remove'; readonly interfaceName: string; readonly address: string }
  | { readonly do: 'priority'; readonly instance: string; readonly priority: number | 'reset' }
  | { readonly do: 'script'; readonly script: string; readonly result: { readonly exit: number } | 'timeout' }
  | { readonly do: 'file'; readonly path: string; readonly content: string | undefined };

export type Step =
  | { readonly at: number; readonly line: number; readonly text: string; readonly host: string; readonly command: HostCommand }
  | { readonly at: number; readonly line: number; readonly text: string; readonly peer: PeerPacket };

export interface CaseInputs {
  readonly hosts: readonly HostDeclaration[];
  readonly steps: readonly Step[];
  /** When the case ends (the `end` line). */
  readonly endAt: number;
  /** `show all-packets`: every advertisement sent, not only those that change something. */
  readonly allPackets: boolean;
}

export class InputError extends Error {
  override readonly name = 'InputError';
}

export function parseInputs(text: string, file: string): CaseInputs {
  const hosts: HostDeclaration[] = [];
  const steps: Step[] = [];
  let endAt: number | undefined;
  let allPackets = false;
  let last = 0;
  text.split('\n').forEach((raw, index) => {
    const line = index + 1;
    const fail = (message: string): never => {
      throw new InputError(`${file}:${line}: ${message}`);
    };
    const content = raw.replace(/#.*/, '').trim();
    if (content === '') return;
    const words = content.split(/\s+/);
    if (endAt !== undefined) fail('nothing may follow the end line');
    if (words[0] === 'host') {
      if (steps.length > 0) fail('hosts are declared before the first timed input');
      hosts.push(hostDeclaration(words.slice(1), fail));
      return;
    }
    if (words[0] === 'show') {
      if (words[1] !== 'all-packets' || words.length !== 2) fail('the only display option is "show all-packets"');
      allPackets = true;
      return;
    }
    const at = milliseconds(words[0]!, fail);
    if (at < last) fail(`time ${at} comes before ${last}: inputs are in time order`);
    last = at;
    const [target, ...rest] = words.slice(1);
    if (target === undefined) fail('a time needs an input after it');
    if (target === 'end') {
      if (rest.length > 0) fail('"end" takes nothing after it');
      endAt = at;
      return;
    }
    if (target === 'peer') {
      steps.push({ at, line, text: content.slice(words[0]!.length).trim(), peer: peerPacket(rest, at, fail) });
      return;
    }
    if (!hosts.some((host) => host.name === target)) fail(`no host "${target}" (declare it with a host line)`);
    steps.push({ at, line, text: rest.join(' '), host: target!, command: hostCommand(rest, fail) });
  });
  if (hosts.length === 0) throw new InputError(`${file}: declares no host`);
  if (endAt === undefined) throw new InputError(`${file}: has no end line ("TIME end")`);
  return { hosts, steps, endAt, allPackets };
}

/** `host r1 r1.conf eth0=192.0.2.1/24,fe80::1/64 eth1=198.51.100.1/24` */
function hostDeclaration(words: string[], fail: Fail): HostDeclaration {
  const [name, config, ...interfaces] = words;
  if (!name || !config || interfaces.length === 0) fail('host NAME CONFIG IFACE=ADDRESS/PREFIX[,...] ...');
  const map = new Map<string, string[]>();
  for (const spec of interfaces) {
    const [iface, list] = spec.split('=');
    if (!iface) fail(`"${spec}": an interface is NAME=ADDRESS/PREFIX[,...] or NAME= for none`);
    const addresses = list ? list.split(',') : [];
    for (const address of addresses) if (!/^[0-9a-f:.]+\/\d+$/i.test(address)) fail(`"${address}" is not ADDRESS/PREFIX`);
    map.set(iface!, addresses);
  }
  return { name: name!, config: config!, interfaces: map };
}

function hostCommand(words: string[], fail: Fail): HostCommand {
  const [verb, ...args] = words;
  const arity = (count: number, usage: string): void => {
    if (args.length !== count) fail(`usage: ${usage}`);
  };
  switch (verb) {
    case 'start':
    case 'sigterm':
    case 'crash':
    case 'status':
      arity(0, verb);
      return { do: verb };
    case 'reload':
      arity(1, 'reload CONFIG');
      return { do: 'reload', config: args[0]! };
    case 'link':
      arity(2, 'link IFACE up|down');
      if (args[1] !== 'up' && args[1] !== 'down') fail('usage: link IFACE up|down');
      return { do: 'link', interfaceName: args[0]!, up: args[1] === 'up' };
    case 'address':
      arity(3, 'address add|remove IFACE ADDRESS/PREFIX');
      if ((args[0] !== 'add' && args[0] !== 'remove') || !/\/\d+$/.test(args[2]!)) fail('usage: address add|remove IFACE ADDRESS/PREFIX');
      return { do: 'address', change: args[0] as 'add' | 'remove', interfaceName: args[1]!, address: args[2]! };
    case 'priority': {
      arity(2, 'priority INSTANCE N|reset');
      const value = args[1] === 'reset' ? 'reset' : Number(args[1]);
      if (value !== 'reset' && !Number.isFinite(value)) fail('usage: priority INSTANCE N|reset');
      return { do: 'priority', instance: args[0]!, priority: value };
    }
    case 'script':
      if (args.length === 2 && args[1] === 'timeout') return { do: 'script', script: args[0]!, result: 'timeout' };
      if (args.length === 3 && args[1] === 'exit' && /^\d+$/.test(args[2]!)) return { do: 'script', script: args[0]!, result: { exit: Number(args[2]) } };
      return fail('usage: script NAME exit N | script NAME timeout');
    case 'file':
      if (args.length === 2 && args[1] === 'removed') return { do: 'file', path: args[0]!, content: undefined };
      if (args.length >= 3 && args[1] === 'contains') return { do: 'file', path: args[0]!, content: args.slice(2).join(' ') };
      return fail('usage: file PATH contains TEXT | file PATH removed');
    default:
      return fail(`unknown input "${verb ?? ''}" (start, sigterm, crash, status, reload, link, address, priority, script, file)`);
  }
}

/**
 * `peer SOURCE [on IFACE] [to DEST] [ttl N] [every MS until TIME] PACKET`, PACKET being
 * `v3 vrid 51 priority 200 interval 1000 addresses 192.0.2.100 ...` (v2: `auth pass SECRET` or
 * `auth ah` before `addresses`; `checksum message-only` for VRRPv3 without the pseudo-header) or
 * `hex 31 33 ...`.
 */
function peerPacket(words: string[], at: number, fail: Fail): PeerPacket {
  const [source, ...rest] = words;
  if (!source || !/^[0-9a-f:.]+$/i.test(source)) fail('usage: peer SOURCE [on IFACE] [to DEST] [ttl N] [every MS until TIME] v2|v3 ... | hex ...');
  const family: AddressFamily = source!.includes(':') ? 'ipv6' : 'ipv4';
  let interfaceName = 'eth0';
  let destination: string | undefined;
  let ttl = 255;
  let repeat: PeerPacket['repeat'];
  let i = 0;
  for (; i < rest.length; i++) {
    const word = rest[i];
    if (word === 'on') interfaceName = rest[++i] ?? fail('on IFACE');
    else if (word === 'to') destination = rest[++i] ?? fail('to DESTINATION');
    else if (word === 'ttl') ttl = Number(rest[++i] ?? fail('ttl N'));
    else if (word === 'every') {
      const everyMs = milliseconds(rest[++i] ?? fail('every MS until TIME'), fail);
      if (rest[++i] !== 'until') fail('every MS until TIME');
      const untilMs = milliseconds(rest[++i] ?? fail('every MS until TIME'), fail);
      if (everyMs <= 0 || untilMs < at) fail('every MS until TIME: MS above 0, TIME not before the line');
      repeat = { everyMs, untilMs };
    } else break;
  }
  const packetWords = rest.slice(i);
  if (packetWords[0] === 'hex') {
    const hex = packetWords.slice(1).join('');
    if (!/^([0-9a-f]{2})+$/i.test(hex)) fail('hex wants whole bytes, e.g. "hex 31 33 01 00"');
    return { source: source!, family, interfaceName, ...(destination ? { destination } : {}), ttl, packet: { hex }, ...(repeat ? { repeat } : {}) };
  }
  return { source: source!, family, interfaceName, ...(destination ? { destination } : {}), ttl, packet: { fields: parseAdvert(packetWords, fail) }, ...(repeat ? { repeat } : {}) };
}

function milliseconds(word: string, fail: Fail): number {
  const value = Number(word);
  if (word === '' || !Number.isFinite(value) || value < 0) fail(`"${word}" is not a time in milliseconds`);
  return value;
}
