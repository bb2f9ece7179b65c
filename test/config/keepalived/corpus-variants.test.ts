// Every corpus file loads cleanly; broken variants of each (a typo'd keyword, an out-of-range
// priority, an undefined track_script, a peer of the wrong family, a duplicate VRID on one
// interface) fail at the exact file:line:column, with the exact message.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatIssue } from '../../../src/config/issues.js';
import { loadKeepalivedText } from '../../../src/config/keepalived/loader.js';

const corpus = join(import.meta.dirname, 'corpus');

function load(file: string, text = readFileSync(join(corpus, file), 'utf8')): string[] {
  // The real path, so `include` resolves next to the file.
  return loadKeepalivedText(text, join(corpus, file)).issues.map((issue) => formatIssue(issue).replace(`${corpus}/`, ''));
}

describe('the corpus loads without errors or warnings', () => {
  test.each(readdirSync(corpus).filter((name) => name.endsWith('.conf')))('%s', (file) => {
    expect(load(file)).toEqual([]);
  });
});

/** [file, what is broken, text to replace (first occurrence), replacement, the issues expected]. */
const variants: [string, string, string, string, string[]][] = [
  ['bfd-upstream.conf', 'an undefined track_bfd', '        upstream_v4\n        upstream_v6 weight', '        upstream_v5\n        upstream_v6 weight', [
    'bfd-upstream.conf:41:9: error: track_bfd upstream_v5 is not defined by any bfd_instance (did you mean upstream_v4?)',
  ]],
  ['bfd-upstream.conf', 'an interval finer than a microsecond', 'min_rx 100.5', 'min_rx 100.0005', [
    'bfd-upstream.conf:19:12: error: min_rx "100.0005" is not valid: expected milliseconds 1..4294967 (at most 3 decimals: microseconds)',
  ]],
  ['bfd-upstream.conf', 'idle_tx below a second', 'idle_tx 2000', 'idle_tx 500', [
    'bfd-upstream.conf:21:13: error: idle_tx "500" is not valid: expected milliseconds 1000..4294967 (at most 3 decimals: microseconds)',
  ]],
  ['bfd-upstream.conf', 'a bfd_instance without neighbor_ip', '    neighbor_ip 198.51.100.1\n', '', [
    'bfd-upstream.conf:27:14: error: bfd_instance far_site has no neighbor_ip: set the address of the BFD peer',
  ]],
  ['bfd-upstream.conf', 'source and neighbour of different families', 'source_ip 192.0.2.1', 'source_ip 2001:db8::1', [
    'bfd-upstream.conf:10:15: error: source_ip 2001:db8::1 and neighbor_ip 192.0.2.254 are not of the same family',
  ]],
  ['bfd-upstream.conf', 'tracking a session only the checker hears', '    track_bfd {\n        upstream_v4\n    }\n    sync', '    track_bfd {\n        far_site\n    }\n    sync', [
    'bfd-upstream.conf:65:9: error: track_bfd far_site cannot be tracked: bfd_instance far_site is written `checker` without `vrrp`, so VRRP does not hear of it: add `vrrp` to it',
  ]],
  ['gateway-lan-wan.conf', "a typo'd keyword", '    track_interface {\n        eth1', '    track_interfce {\n        eth1', [
    'gateway-lan-wan.conf:21:5: warning: unknown keyword "track_interfce" (did you mean track_interface?); ignored',
  ]],
  ['gateway-lan-wan.conf', 'a duplicate VRID on one interface', 'interface eth1\n    virtual_router_id 20', 'interface eth0\n    virtual_router_id 10', [
    'gateway-lan-wan.conf:36:23: error: virtual_router_id 10 is already used by LAN on eth0 (ipv4); each virtual router on a link needs its own VRID',
  ]],
  ['gateway-lan-wan.conf', 'an out-of-range priority', 'priority 150\n    advert_int 1\n    track_interface {\n        eth0', 'priority 256\n    advert_int 1\n    track_interface {\n        eth0', [
    'gateway-lan-wan.conf:37:14: error: priority "256" is not valid: expected a whole number 1..255',
  ]],
  ['sync-group-notify.conf', 'an undefined track_script', '        chk_db\n', '        chk_dbb\n', [
    'sync-group-notify.conf:22:9: error: track_script chk_dbb is not defined by any vrrp_script (did you mean chk_db?)',
  ]],
  ['sync-group-notify.conf', "a typo'd keyword", 'notify_backup', 'notify_bakup', [
    'sync-group-notify.conf:25:5: warning: unknown keyword "notify_bakup" (did you mean notify_backup?); ignored',
  ]],
  ['use-vmac.conf', 'a duplicate VRID on one interface', 'virtual_router_id 52', 'virtual_router_id 51', [
    'use-vmac.conf:19:23: error: virtual_router_id 51 is already used by VI_VMAC on eth0 (ipv4); each virtual router on a link needs its own VRID',
  ]],
  ['use-vmac.conf', 'an out-of-range priority', 'priority 200', 'priority 0', [
    'use-vmac.conf:8:14: error: priority "0" is not valid: expected a whole number 1..255',
  ]],
  ['include-macros.conf', 'an undefined track_script (the script is in the included file)', 'chk_nginx weight 20', 'chk_ngnix weight 20', [
    'include-macros.conf:17:9: error: track_script chk_ngnix is not defined by any vrrp_script (did you mean chk_nginx?)',
  ]],
  ['include-macros.conf', 'an out-of-range priority on an @conditional line', '@^lb1 priority 100', '@^lb1 priority 1000', [
    'include-macros.conf:13:16: error: priority "1000" is not valid: expected a whole number 1..255',
  ]],
  ['ipv6-active-active-active.conf', 'a peer of the wrong family', '        2001:db8:2::3\n', '        192.0.2.3\n', [
    'ipv6-active-active-active.conf:16:9: error: unicast_peer 192.0.2.3 is an ipv4 address: the instance is ipv6',
  ]],
  ['ipv6-active-active-active.conf', 'a duplicate VRID on one interface', 'virtual_router_id 73', 'virtual_router_id 71', [
    'ipv6-active-active-active.conf:40:23: error: virtual_router_id 71 is already used by V6_A on eth1 (ipv6); each virtual router on a link needs its own VRID',
  ]],
  ['ipv6-unicast.conf', 'a peer of the wrong family', '$PEER_B max_ttl 255', '198.51.100.2 max_ttl 255', [
    'ipv6-unicast.conf:16:9: error: unicast_peer 198.51.100.2 is an ipv4 address: the instance is ipv6',
  ]],
  ['k8s-api-haproxy.conf', "a typo'd keyword", '    advert_int 1\n    authentication', '    advert_itn 1\n    authentication', [
    'k8s-api-haproxy.conf:22:5: warning: unknown keyword "advert_itn" (did you mean advert_int?); ignored',
  ]],
];

describe('broken variants of the corpus', () => {
  test.each(variants)('%s: %s', (file, _, find, replace, expected) => {
    const text = readFileSync(join(corpus, file), 'utf8');
    expect(text).toContain(find);
    expect(load(file, text.replace(find, replace))).toEqual(expected);
  });
});
