// Blocks of entries, one a line: unicast_peer, virtual_ipaddress, track_interface, track_script /
// track_file / track_process references, virtual_routes and virtual_rules. Each is a kind (see
// kinds.ts): how its lines read, how an entry is written back and what its YAML form is. The
// entries' words keep keepalived's own grammar per block (options anywhere, in pairs, or in order),
// which is why each block reads its own.
import { parseAddressWithPrefix } from '../addresses.js';
import { blockOf } from '../keepalived/block-reader.js';
import { readRoutes, readRules } from '../keepalived/routes.js';
import type {
  TrackedInterfaceConfig,
  TrackerRefConfig,
  UnicastPeerConfig,
  VirtualAddressConfig,
  VirtualRouteConfig,
  VirtualRuleConfig,
} from '../model.js';
import { routeText, ruleText } from '../route-text.js';
import type { Entry, Kind, Mutable, Written } from './registry.js';

const line = (keyword: string, ...args: (string | number)[]): Entry => ({ keyword, args: args.map(String) });
const block = (children: readonly Entry[]): Written => ({ args: [], children });

/** `unicast_peer { <addr> [min_ttl N] [max_ttl N] ... }`. */
export const unicastPeers: Kind<readonly UnicastPeerConfig[]> = {
  read: (statement, at) => {
    // The block itself is where a complaint about the peers as a whole points.
    at.ctx.locate(at.path, statement);
    const peers: UnicastPeerConfig[] = [];
    for (const entry of blockOf(statement, at.ctx, at.path)) {
      const entryPath = `${at.path}[${peers.length}]`;
      const peer: Mutable<UnicastPeerConfig> = { address: entry.keyword.text };
      for (let i = 0; i + 1 < entry.args.length; i += 2) {
        const option = entry.args[i]!;
        const value = entry.args[i + 1]!;
        if (option.text === 'min_ttl') assign(peer, 'minTtl', at.ctx.integerWord(value, 'min_ttl', entryPath, 0, 255));
        else if (option.text === 'max_ttl') assign(peer, 'maxTtl', at.ctx.integerWord(value, 'max_ttl', entryPath, 0, 255));
        else at.ctx.warning(option, entryPath, `unknown unicast_peer option "${option.text}"; ignored`);
      }
      at.ctx.sourceMap.set(entryPath, entry.keyword.location);
      peers.push(peer);
    }
    return peers;
  },
  write: (peers) =>
    block(peers.map((peer) => line(peer.address, ...(peer.minTtl !== undefined ? ['min_ttl', peer.minTtl] : []), ...(peer.maxTtl !== undefined ? ['max_ttl', peer.maxTtl] : [])))),
  yaml: { kind: 'entries', head: 'address', keys: { minTtl: 'value', maxTtl: 'value' } },
  examples: () => [[{ address: '192.0.2.2' }, { address: '192.0.2.3', minTtl: 2, maxTtl: 64 }]],
};

/** Address options that take a value; those vrrpd does not apply are read past. */
const VALUE_OPTIONS = ['dev', 'label', 'scope', 'brd', 'broadcast', 'metric', 'preferred_lft', 'valid_lft'];
/** Address flags `ip address` has that mean nothing to a virtual address. */
const IGNORED_FLAGS = ['home', 'noprefixroute', 'autojoin', 'mngtmpaddr'];

/**
 * `virtual_ipaddress { <addr>[/<prefix>] [brd X] [dev X] [scope X] [label X] [-nodad] [no_track] }`.
 * `locate`: a complaint about the list as a whole points at the block (virtual_ipaddress).
 */
export function addresses(options: { readonly locate: boolean; readonly decidesFamily: boolean; readonly examples: readonly (readonly VirtualAddressConfig[])[] }): Kind<readonly VirtualAddressConfig[]> {
  return {
    read: (statement, at) => {
      if (options.locate) at.ctx.locate(at.path, statement);
      const result: VirtualAddressConfig[] = [];
      for (const entry of blockOf(statement, at.ctx, at.path)) {
        const entryPath = `${at.path}[${result.length}]`;
        const parsed = parseAddressWithPrefix(entry.keyword.text);
        if ('error' in parsed) {
          at.ctx.error(entry.keyword, entryPath, parsed.error);
          continue;
        }
        const address: Mutable<VirtualAddressConfig> = { ...parsed };
        const words = entry.args;
        for (let i = 0; i < words.length; i++) {
          const option = words[i]!;
          const value = words[i + 1];
          const takesValue = VALUE_OPTIONS.includes(option.text);
          if (takesValue && !value) {
            at.ctx.error(option, entryPath, `${option.text} needs a value`);
            break;
          }
          if (option.text === 'dev') address.device = value!.text;
          else if (option.text === 'label') address.label = value!.text;
          else if (option.text === 'scope') address.scope = value!.text;
          else if (option.text === 'brd' || option.text === 'broadcast') address.broadcast = value!.text;
          else if (['-nodad', 'no_dad', 'nodad'].includes(option.text)) address.noDad = true;
          else if (option.text === 'no_track') address.noTrack = true;
          else if (!takesValue && !IGNORED_FLAGS.includes(option.text)) {
            at.ctx.warning(option, entryPath, `unknown address option "${option.text}"; ignored`);
          }
          if (takesValue) i++;
        }
        at.ctx.sourceMap.set(entryPath, entry.keyword.location);
        result.push(address);
      }
      return result;
    },
    write: (list) => block(list.map(addressEntry)),
    yaml: { kind: 'addresses', decidesFamily: options.decidesFamily },
    examples: () => options.examples,
  };
}

function addressEntry(address: VirtualAddressConfig): Entry {
  const args: string[] = [];
  if (address.broadcast !== undefined) args.push('brd', address.broadcast);
  if (address.device !== undefined) args.push('dev', address.device);
  if (address.scope !== undefined) args.push('scope', address.scope);
  if (address.label !== undefined) args.push('label', address.label);
  if (address.noDad) args.push('no_dad');
  if (address.noTrack) args.push('no_track');
  return line(`${address.address}/${address.prefixLength}`, ...args);
}

/** The weight of a track_interface entry without one: the instance goes to Fault while the link is down. */
export const TRACKED_INTERFACE_WEIGHT = 0;

/** `track_interface { <ifname> [weight N] [reverse] }`. */
export const trackedInterfaces: Kind<readonly TrackedInterfaceConfig[]> = {
  read: (statement, at) =>
    blockOf(statement, at.ctx, at.path).map((entry, index) => {
      at.ctx.sourceMap.set(`${at.path}[${index}]`, entry.keyword.location);
      return {
        name: entry.keyword.text,
        weight:
          entry.args[0]?.text === 'weight' && entry.args[1]
            ? (at.ctx.integerWord(entry.args[1], 'weight', `${at.path}[${index}].weight`, -253, 253) ?? TRACKED_INTERFACE_WEIGHT)
            : TRACKED_INTERFACE_WEIGHT,
        reverse: entry.args.some((word) => word.text === 'reverse'),
      };
    }),
  write: (list) => block(list.map((tracked) => line(tracked.name, ...(tracked.weight !== TRACKED_INTERFACE_WEIGHT ? ['weight', tracked.weight] : []), ...(tracked.reverse ? ['reverse'] : [])))),
  yaml: { kind: 'entries', head: 'name', keys: { weight: 'value', reverse: 'reverse' } },
  examples: () => [[{ name: 'eth1', weight: 0, reverse: false }, { name: 'eth2', weight: -5, reverse: true }]],
};

/** A track_script / track_file / track_process list: `NAME [weight N] [reverse|noreverse]` per line, |weight| up to `maxWeight`. */
export function trackerRefs(maxWeight: number, examples: readonly (readonly TrackerRefConfig[])[]): Kind<readonly TrackerRefConfig[]> {
  return {
    read: (statement, at) =>
      blockOf(statement, at.ctx, at.path).map((entry, index) => {
        at.ctx.sourceMap.set(`${at.path}[${index}]`, entry.keyword.location);
        const weightAt = entry.args.findIndex((word) => word.text === 'weight');
        const weightWord = weightAt >= 0 ? entry.args[weightAt + 1] : undefined;
        const weight = weightWord ? at.ctx.integerWord(weightWord, 'weight', `${at.path}[${index}].weight`, -maxWeight, maxWeight) : undefined;
        // Without reverse/noreverse the definition's own setting applies.
        const reverse = entry.args.some((word) => word.text === 'reverse') ? true : entry.args.some((word) => word.text === 'noreverse') ? false : undefined;
        return {
          name: entry.keyword.text,
          ...(weight !== undefined ? { weight } : {}),
          ...(reverse !== undefined ? { reverse } : {}),
        };
      }),
    write: (list) =>
      block(list.map((ref) => line(ref.name, ...(ref.weight !== undefined ? ['weight', ref.weight] : []), ...(ref.reverse === undefined ? [] : [ref.reverse ? 'reverse' : 'noreverse'])))),
    yaml: { kind: 'entries', head: 'name', keys: { weight: 'value', reverse: 'reverse' } },
    examples: () => examples,
  };
}

/** One `ip route` / `ip rule` like line per entry; an entry is its first word and the rest. */
const lineEntry = (text: string): Entry => line(...(text.split(' ') as [string, ...string[]]));

/**
 * `virtual_routes { ... }`. Several blocks add up. A `default` route's family may stay open until
 * the instance's is known: the instance completes it (withFamily) once read.
 */
export const virtualRoutes: Kind<readonly VirtualRouteConfig[] | undefined> = {
  read: (statement, at, current) => [...(current ?? []), ...(readRoutes(statement, at.path, at.ctx, current?.length) as VirtualRouteConfig[])],
  write: (routes) => block((routes ?? []).map((route) => lineEntry(routeText(route)))),
  yaml: { kind: 'lines' },
  examples: () => [[{ family: 'ipv4', destination: '198.51.100.0', prefixLength: 24, gateway: '192.0.2.254' }], []],
};

/** `virtual_rules { ... }`, adding up like virtual_routes. */
export const virtualRules: Kind<readonly VirtualRuleConfig[] | undefined> = {
  read: (statement, at, current) => [...(current ?? []), ...(readRules(statement, at.path, at.ctx, current?.length) as VirtualRuleConfig[])],
  write: (rules) => block((rules ?? []).map((rule) => lineEntry(ruleText(rule)))),
  yaml: { kind: 'lines' },
  examples: () => [[{ family: 'ipv4', from: { address: '192.0.2.100', prefixLength: 32 }, table: 100, priority: 100 }], []],
};

/** Sets a field when the reader produced a value (a failed read already reported its issue). */
function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}
