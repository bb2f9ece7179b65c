// The host's part of checking: interfaces the file names must exist where it runs (check --host,
// run, reload), reported at the line that names them.
import { expect, test } from 'vitest';
import { formatIssue } from '../../src/config/issues.js';
import { withHostIssues } from '../../src/config/host-check.js';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';

const text = [
  'vrrp_sync_group G {',
  ' group {',
  '  VI_1',
  ' }',
  ' track_interface {',
  '  wg0',
  ' }',
  '}',
  'vrrp_instance VI_1 {',
  ' interface eth9',
  ' virtual_router_id 51',
  ' version 3',
  ' track_interface {',
  '  eth0',
  '  tun0',
  ' }',
  ' virtual_ipaddress {',
  '  192.0.2.100/24',
  '  198.51.100.7/32 dev eth7',
  ' }',
  ' virtual_ipaddress_excluded {',
  '  203.0.113.9/32 dev eth0',
  ' }',
  '}',
  '',
].join('\n');

test('a missing interface or dev is an error at its line; a missing tracked interface is a warning (it may come later)', () => {
  const loaded = loadKeepalivedText(text, 'keepalived.conf');
  expect(loaded.issues.map(formatIssue)).toEqual([]);
  const onHost = withHostIssues(loaded, (name) => name === 'eth0');
  expect(onHost.issues.map(formatIssue)).toEqual([
    'keepalived.conf:10:12: error: interface eth9 does not exist on this host',
    'keepalived.conf:19:3: error: dev eth7 of 198.51.100.7 does not exist on this host',
    'keepalived.conf:15:3: warning: track_interface tun0 does not exist on this host (yet): it counts as down',
    'keepalived.conf:6:3: warning: track_interface wg0 does not exist on this host (yet): it counts as down',
  ]);
});

test('every interface present: the result is unchanged', () => {
  const loaded = loadKeepalivedText(text, 'keepalived.conf');
  expect(withHostIssues(loaded, () => true)).toBe(loaded);
});

test('interfaces YAML detection has not resolved (check without --host) are not looked up', () => {
  const loaded = loadKeepalivedText(text.replace('interface eth9', 'interface (DefaultRoute)'), 'keepalived.conf');
  expect(withHostIssues(loaded, (name) => name !== '(DefaultRoute)').issues.map(formatIssue)).toEqual([]);
});
