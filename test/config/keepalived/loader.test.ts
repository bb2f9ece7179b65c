// keepalived.conf onto the model: realistic files from the corpus, broken variants with their
// exact file:line:column, and keepalived's defaults.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatIssue } from '../../../src/config/issues.js';
import { loadKeepalivedConfig, loadKeepalivedText } from '../../../src/config/keepalived/loader.js';

const corpus = join(import.meta.dirname, 'corpus');

function load(text: string) {
  const result = loadKeepalivedText(text, 'keepalived.conf');
  return { ...result, lines: result.issues.map(formatIssue) };
}

describe('corpus', () => {
  test('Kubernetes API with an haproxy check', () => {
    const { config, issues } = loadKeepalivedConfig(join(corpus, 'k8s-api-haproxy.conf'));
    expect(issues).toEqual([]);
    expect(config.global).toMatchObject({ routerId: 'LB_1', enableScriptSecurity: true, scriptUser: 'root', vrrpVersion: 2 });
    expect(config.global.garp.masterRefreshMs).toBe(60_000);
    expect(config.scripts).toEqual([
      { name: 'chk_haproxy', script: '/usr/bin/killall -0 haproxy', intervalMs: 2000, timeoutMs: 2000, weight: -30, reverse: false, rise: 2, fall: 2, initFail: false },
    ]);
    const [instance] = config.instances;
    expect(instance).toMatchObject({
      name: 'VI_K8S',
      interface: 'eth0',
      virtualRouterId: 51,
      version: 2,
      family: 'ipv4',
      priority: 101,
      advertIntervalMs: 1000,
      initialState: 'MASTER',
      preempt: true,
      acceptMode: true,
      authentication: { type: 'PASS', password: 'k8s-vip1' },
      virtualAddresses: [{ address: '192.0.2.10', prefixLength: 24, family: 'ipv4', device: 'eth0', label: 'eth0:vip' }],
      trackScripts: [{ name: 'chk_haproxy' }],
      notify: { master: '/etc/keepalived/notify.sh master' },
    });
    expect(instance?.garp.masterRefreshMs).toBe(60_000);
  });

  test('IPv6 unicast with macros, VRRPv3 sub-second interval', () => {
    const { config, issues } = loadKeepalivedConfig(join(corpus, 'ipv6-unicast.conf'));
    expect(issues).toEqual([]);
    expect(config.instances[0]).toMatchObject({
      version: 3,
      family: 'ipv6',
      advertIntervalMs: 500,
      preempt: false,
      unicastSourceIp: '2001:db8:1::3',
      unicastPeers: [{ address: '2001:db8:1::1' }, { address: '2001:db8:1::2', maxTtl: 255 }],
      virtualAddresses: [
        { address: '2001:db8:1::100', prefixLength: 64, family: 'ipv6' },
        { address: '2001:db8:1::101', prefixLength: 64, family: 'ipv6' },
      ],
    });
  });

  test('every corpus file loads without errors', () => {
    for (const file of ['k8s-api-haproxy.conf', 'ipv6-unicast.conf']) {
      const { issues } = loadKeepalivedConfig(join(corpus, file));
      expect(issues.filter((issue) => issue.severity === 'error')).toEqual([]);
      expect(readFileSync(join(corpus, file), 'utf8').length).toBeGreaterThan(0);
    }
  });
});

describe('broken variants point at the exact place', () => {
  const base = (body: string) => `vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n${body}\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n`;

  test('priority out of range', () => {
    expect(load(base('  priority 300')).lines).toEqual(['keepalived.conf:4:12: error: priority "300" is not valid: expected a whole number 1..255']);
  });

  test('a misspelt keyword is a warning with a suggestion', () => {
    expect(load(base('  nopreemt')).lines).toEqual(['keepalived.conf:4:3: warning: unknown keyword "nopreemt" (did you mean nopreempt?); ignored']);
  });

  test('a malformed virtual address', () => {
    expect(load(base('').replace('192.0.2.100/24', '192.0.2.300/24')).lines).toEqual([
      'keepalived.conf:6:5: error: "192.0.2.300" is not an IPv4 or IPv6 address',
      'keepalived.conf:5:3: warning: vrrp_instance VI_1 has no virtual_ipaddress',
    ]);
  });

  test('a unicast peer of the wrong family is located at the peer', () => {
    expect(load(base('  unicast_peer {\n    2001:db8::2\n  }')).lines).toEqual([
      'keepalived.conf:5:5: error: unicast_peer 2001:db8::2 is an ipv6 address: the instance is ipv4',
    ]);
  });

  test('tracking an undefined script', () => {
    expect(load(base('  track_script {\n    chk_nothing\n  }')).lines).toEqual([
      'keepalived.conf:5:5: error: track_script chk_nothing is not defined by any vrrp_script',
    ]);
  });

  test('missing interface and VRID', () => {
    expect(load('vrrp_instance VI_1 {\n  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n').lines).toEqual([
      'keepalived.conf:1:1: error: vrrp_instance VI_1 needs an interface',
      'keepalived.conf:1:1: error: vrrp_instance VI_1 needs a virtual_router_id (1..255)',
    ]);
  });

  test('duplicate VRID on one interface names both', () => {
    const text = base('') + base('').replace('VI_1', 'VI_2').replace('192.0.2.100', '192.0.2.101');
    expect(load(text).lines).toEqual([
      'keepalived.conf:11:21: error: virtual_router_id 51 is already used by VI_1 on eth0 (ipv4); each virtual router on a link needs its own VRID',
    ]);
  });

  test('an unterminated block is a syntax error at its opening brace', () => {
    expect(load('vrrp_instance VI_1 {\n  interface eth0\n').lines[0]).toBe('keepalived.conf:1:20: error: block opened here is never closed (missing "}")');
  });
});

describe('keepalived semantics', () => {
  test('blocks vrrpd does not implement are reported once each and ignored', () => {
    const text = 'net_namespace blue\nnet_namespace red\nreal_server 198.51.100.11 80 {\n}\n';
    expect(load(text).lines).toEqual([
      'keepalived.conf:1:1: warning: net_namespace: keepalived network namespaces are not supported; run vrrpd inside the namespace; ignored',
      'keepalived.conf:3:1: warning: real_server: real_server belongs inside a virtual_server block; ignored',
    ]);
  });

  test('non-VRRP global_defs keywords are accepted quietly; unknown ones warned', () => {
    const text = 'global_defs {\n  notification_email {\n    ops@example.com\n  }\n  smtp_server 192.0.2.25\n  vrrp_verison 3\n}\n';
    expect(load(text).lines).toEqual(['keepalived.conf:6:3: warning: unknown keyword "vrrp_verison" (did you mean vrrp_version?); ignored']);
  });

  test('IPv6 instances always run VRRPv3; the global version applies otherwise', () => {
    const text =
      'global_defs {\n vrrp_version 2\n}\n' +
      'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  2001:db8::1/64\n }\n}\n' +
      'vrrp_instance B {\n interface eth0\n virtual_router_id 2\n virtual_ipaddress {\n  192.0.2.1/24\n }\n}\n';
    const { config, lines } = load(text);
    expect(lines).toEqual([]);
    expect(config.instances.map((i) => [i.name, i.family, i.version])).toEqual([
      ['A', 'ipv6', 3],
      ['B', 'ipv4', 2],
    ]);
  });

  test('vrrp_strict implies no_accept; accept overrides it per instance', () => {
    const text = 'global_defs {\n vrrp_strict\n}\n' + 'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n';
    const strict = load(text);
    expect(strict.config.instances[0]?.acceptMode).toBe(false);
    expect(load(text.replace(' virtual_router_id 1\n', ' virtual_router_id 1\n accept\n')).config.instances[0]?.acceptMode).toBe(true);
  });

  test('notify_fifo_script and vrrp_notify_fifo_script: the command line, quoted when it has arguments', () => {
    const instance = 'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n version 3\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n';
    const quoted = load('global_defs {\n notify_fifo /run/k.fifo\n notify_fifo_script "/usr/local/bin/reader --json"\n}\n' + instance);
    expect(quoted.lines).toEqual([]);
    expect(quoted.config.global).toMatchObject({ notifyFifo: '/run/k.fifo', notifyFifoScript: '/usr/local/bin/reader --json' });
    expect(load('global_defs {\n vrrp_notify_fifo_script /usr/local/bin/reader\n}\n' + instance).config.global.notifyFifoScript).toBe('/usr/local/bin/reader');
  });

  test('vrrp_strict and keepalived\'s firewall keywords are warned about at their line: vrrpd installs no firewall rules', () => {
    const text = 'global_defs {\n vrrp_strict\n vrrp_iptables VRRP\n vrrp_nftables\n}\n' + 'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n version 3\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n';
    expect(load(text).lines).toEqual([
      'keepalived.conf:2:2: warning: vrrp_strict: vrrpd applies its protocol rules (no_accept, no unicast, VRRPv2 auth off) but installs no firewall rules',
      'keepalived.conf:3:2: warning: vrrp_iptables: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)',
      'keepalived.conf:4:2: warning: vrrp_nftables: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)',
    ]);
  });

  test('lower-priority gratuitous ARPs follow the master settings unless set; instances inherit the global ones', () => {
    const text =
      'global_defs {\n vrrp_garp_master_delay 2\n vrrp_garp_master_repeat 3\n max_auto_priority\n}\n' +
      'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n garp_lower_prio_repeat 0\n debug 2\n virtual_ipaddress {\n  2001:db8::1/64 -nodad\n }\n}\n';
    const { config, lines } = load(text);
    expect(lines).toEqual([]);
    expect(config.global.maxAutoPriority).toBe(99);
    expect(config.global.garp).toMatchObject({ masterDelayMs: 2000, masterRepeat: 3, lowerPrioDelayMs: 2000, lowerPrioRepeat: 3 });
    expect(config.instances[0]?.garp).toMatchObject({ lowerPrioDelayMs: 2000, lowerPrioRepeat: 0 });
    expect(config.instances[0]).toMatchObject({ debug: 2, virtualAddresses: [{ address: '2001:db8::1', noDad: true }] });
  });

  test('track_interface reverse; track_script reverse only when written', () => {
    const text =
      'vrrp_script s {\n script "/bin/true"\n weight 10 reverse\n}\n' +
      'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n track_interface {\n  eth1 weight -10 reverse\n }\n' +
      ' track_script {\n  s\n  s weight 5 noreverse\n }\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n';
    const { config } = load(text);
    expect(config.instances[0]?.trackInterfaces).toEqual([{ name: 'eth1', weight: -10, reverse: true }]);
    expect(config.instances[0]?.trackScripts).toEqual([{ name: 's' }, { name: 's', weight: 5, reverse: false }]);
  });

  test('a vrrp_script without timeout uses its interval', () => {
    const { config } = load('vrrp_script s {\n script "/bin/true"\n interval 3\n}\n');
    expect(config.scripts[0]).toMatchObject({ intervalMs: 3000, timeoutMs: 3000 });
  });

  test('track_file and its older name vrrp_track_file; instances and sync groups name them', () => {
    const text =
      'track_file maint {\n file /run/maint\n weight -2 reverse\n init_file 5 overwrite\n}\n' +
      'vrrp_track_file plain {\n file "/run/plain"\n}\n' +
      'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n track_file {\n  maint weight 3\n  plain\n }\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n' +
      'vrrp_sync_group G {\n group {\n  A\n }\n track_file {\n  plain weight 0\n }\n sync_group_tracking_weight\n}\n';
    const { config, lines } = load(text);
    expect(lines).toEqual([]);
    expect(config.trackFiles).toEqual([
      { name: 'maint', path: '/run/maint', weight: -2, reverse: true, initFile: { value: 5, overwrite: true } },
      { name: 'plain', path: '/run/plain', weight: 1, reverse: false },
    ]);
    expect(config.instances[0]?.trackFiles).toEqual([{ name: 'maint', weight: 3 }, { name: 'plain' }]);
    expect(config.syncGroups[0]?.trackFiles).toEqual([{ name: 'plain', weight: 0 }]);
    expect(load('track_file f {\n init_file\n file /x\n}\n').config.trackFiles[0]?.initFile).toEqual({ value: 0, overwrite: false });
  });

  test('vrrp_track_process with every keyword; delay sets both delays; instances name it', () => {
    const text =
      'vrrp_track_process nginx {\n process nginx -g "daemon off;"\n param_match initial\n full_command\n weight 10 reverse\n quorum 2\n quorum_max 4\n delay 1.5\n terminate_delay 2\n}\n' +
      'vrrp_track_process none_allowed {\n process sshd\n quorum_max 0\n}\n' +
      'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n track_process {\n  nginx weight -20 noreverse\n }\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n';
    const { config, lines } = load(text);
    expect(lines).toEqual([]);
    expect(config.trackProcesses[0]).toEqual({
      name: 'nginx',
      process: 'nginx',
      parameters: ['-g', 'daemon off;'],
      paramMatch: 'initial',
      fullCommand: true,
      weight: 10,
      reverse: true,
      quorum: 2,
      quorumMax: 4,
      forkDelayMs: 1500,
      terminateDelayMs: 2000,
    });
    expect(config.trackProcesses[1]).toMatchObject({ process: 'sshd', quorum: 0, quorumMax: 0 });
    expect(config.instances[0]?.trackProcesses).toEqual([{ name: 'nginx', weight: -20, reverse: false }]);
  });

  test('tracker blocks: bad values at their position, a missing file or process named', () => {
    const { lines } = load('track_file f {\n weight x\n}\nvrrp_track_process p {\n param_match everything\n quorum 70000\n}\n');
    expect(lines).toEqual([
      'keepalived.conf:2:9: error: weight "x" is not valid: expected a whole number -2147483647..2147483647',
      'keepalived.conf:5:14: error: param_match "everything" is not valid: expected initial or partial',
      'keepalived.conf:6:9: error: quorum "70000" is not valid: expected a whole number 0..65535',
      'keepalived.conf:1:12: error: track_file f has no file: set the file to read',
      'keepalived.conf:4:20: error: vrrp_track_process p has no process: set the process to look for',
    ]);
  });

  test('script users keep their group: user USER [GROUP], script_user USER [GROUP]', () => {
    const { config, lines } = load('global_defs {\n script_user nobody nogroup\n}\nvrrp_script s {\n script /bin/true\n user haproxy haproxy\n}\n');
    expect(lines).toEqual([]);
    expect(config.global.scriptUser).toBe('nobody nogroup');
    expect(config.scripts[0]?.user).toBe('haproxy haproxy');
  });

  test('notify_priority_changes: global default, instance override; notify_master_rx_lower_pri as written', () => {
    const { config, issues } = loadKeepalivedConfig(join(corpus, 'cloud-reclaim.conf'));
    expect(issues.map(formatIssue)).toEqual([]);
    expect(config.global.notifyPriorityChanges).toBe(true);
    expect(config.instances.map((i) => [i.name, i.notifyPriorityChanges])).toEqual([
      ['PUBLIC', true],
      ['PRIVATE', false],
    ]);
    expect(config.instances[0]?.notify).toEqual({
      master: '/usr/local/bin/move-address 203.0.113.10',
      masterRxLowerPri: '/usr/local/bin/move-address 203.0.113.10',
      deleted: { script: '/usr/local/bin/release-address' },
      users: { masterRxLowerPri: 'root', deleted: 'cloudctl cloudctl' },
    });
    const bad = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  notify_priority_changes maybe\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n';
    expect(load(bad).lines).toEqual([expect.stringMatching(/^keepalived\.conf:4:27: error: /)]);
  });

  test('notify commands: a quoted command line, or a script followed by the user (and group) it runs as', () => {
    const { config, lines } = load(
      'global_defs {\n notify_fifo_script /usr/local/bin/reader monitor\n}\n' +
        'vrrp_instance A {\n interface eth0\n virtual_router_id 1\n notify_master "/etc/ka/master.sh arg"\n notify_backup /etc/ka/backup.sh haproxy haproxy\n notify_fault /etc/ka/fault.sh nobody nogroup extra\n notify_deleted /etc/ka/deleted.sh nobody\n virtual_ipaddress {\n  192.0.2.1\n }\n}\n',
    );
    expect(config.instances[0]?.notify).toEqual({
      master: '/etc/ka/master.sh arg',
      backup: '/etc/ka/backup.sh',
      fault: '/etc/ka/fault.sh',
      deleted: { script: '/etc/ka/deleted.sh' },
      users: { backup: 'haproxy haproxy', fault: 'nobody nogroup', deleted: 'nobody' },
    });
    expect(config.global).toMatchObject({ notifyFifoScript: '/usr/local/bin/reader', notifyFifoScriptUser: 'monitor' });
    expect(lines).toEqual([
      'keepalived.conf:9:47: warning: notify_fault takes a script, a user and a group; "extra" and what follows are ignored (quote the command line if these are arguments)',
    ]);
  });
});
