// The registered block types: global_defs, which the others inherit from, and the rest in the
// order the writers write them. A new block type is a file beside these and a line here.
import type { GlobalDefs } from '../model.js';
import { BFD_INSTANCE } from './bfd-instance.js';
import { GARP_GROUP } from './garp-group.js';
import { GLOBAL_DEFS } from './global-defs.js';
import type { AnyBlockType, BlockType } from './registry.js';
import { TRACK_FILE } from './track-file.js';
import { VRRP_INSTANCE } from './vrrp-instance.js';
import { VRRP_SCRIPT } from './vrrp-script.js';
import { VRRP_SYNC_GROUP } from './vrrp-sync-group.js';
import { VIRTUAL_SERVER, VIRTUAL_SERVER_GROUP } from './virtual-server.js';
import { VRRP_TRACK_PROCESS } from './vrrp-track-process.js';

export { GLOBAL_DEFS, VRRP_INSTANCE };

/** Top-level blocks keepalived has and vrrpd does not: recognised, reported once each, ignored. */
export const UNIMPLEMENTED_BLOCKS: Readonly<Record<string, string>> = {
  real_server: 'real_server belongs inside a virtual_server block',
  SSL: 'the SSL block (a client certificate for SSL_GET) is not implemented; SSL_GET connects without one',
  linkbeat_interfaces: 'linkbeat is not implemented; vrrpd follows link state through netlink',
  static_ipaddress: 'static addresses are not managed by vrrpd',
  static_routes: 'static routes are not managed by vrrpd',
  static_rules: 'static rules are not managed by vrrpd',
  net_namespace: 'keepalived network namespaces are not supported; run vrrpd inside the namespace',
};

// The load balancer's (virtual-server.ts) last, groups first: virtual servers name them.
export const BLOCK_TYPES: readonly AnyBlockType<GlobalDefs>[] = [
  VRRP_SCRIPT,
  TRACK_FILE,
  VRRP_TRACK_PROCESS,
  BFD_INSTANCE,
  VRRP_INSTANCE,
  VRRP_SYNC_GROUP,
  GARP_GROUP,
  VIRTUAL_SERVER_GROUP as unknown as AnyBlockType<GlobalDefs>,
  VIRTUAL_SERVER as unknown as AnyBlockType<GlobalDefs>,
];

/** Block types read from keepalived.conf only, not yet by the YAML translator nor written by the writers (vrrpd convert): none today. */
export const LOAD_ONLY_BLOCK_TYPES: readonly AnyBlockType<GlobalDefs>[] = [];

/** What the loaders and writers work from: these block types (tests pass their own, with made-up ones). */
export interface Registry {
  readonly global: BlockType<GlobalDefs, undefined>;
  readonly blocks: readonly AnyBlockType<GlobalDefs>[];
  /** Blocks keepalived has that are not registered: each warned about once. */
  readonly unimplemented: Readonly<Record<string, string>>;
  /** Read from keepalived.conf, not from YAML nor written (LOAD_ONLY_BLOCK_TYPES). */
  readonly loadOnly?: readonly AnyBlockType<GlobalDefs>[];
}

export const REGISTRY: Registry = { global: GLOBAL_DEFS, blocks: BLOCK_TYPES, unimplemented: UNIMPLEMENTED_BLOCKS, loadOnly: LOAD_ONLY_BLOCK_TYPES };
