// The load balancer's blocks in YAML (config/keywords/virtual-server.ts through the registry's
// YAML engine): `vrrpd convert` keepalived.conf -> YAML -> keepalived.conf gives the same model
// for kube-keepalived-vip's configuration and for a file saying every keyword of virtual_server,
// real_server, the checkers and virtual_server_group; and `vrrpd check` of a YAML file reports what
// is wrong in it at the file:line:column of the YAML key or value.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { check } from '../../../src/cli/check.js';
import { convert } from '../../../src/cli/convert.js';
import { formatIssue } from '../../../src/config/issues.js';
import { loadKeepalivedText } from '../../../src/config/keepalived/loader.js';
import { VIRTUAL_SERVER } from '../../../src/config/keywords/virtual-server.js';
import type { Keyword } from '../../../src/config/keywords/registry.js';
import { writeKeepalivedConfig } from '../../../src/config/write/keepalived.js';
import { writeYamlConfig } from '../../../src/config/write/yaml.js';
import { loadYamlText } from '../../../src/config/yaml/loader.js';
import { KUBE_KEEPALIVED_VIP } from '../../helpers/kube-keepalived-vip.js';
import { scratchDir } from '../../helpers/scratch.js';
import { withoutSources } from '../../helpers/without-sources.js';

const INSTANCE = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n';

/** Every keyword of virtual-server.ts with a field, each alias too, and a checker block of every type with each of its keywords. */
const EVERY_KEYWORD = `${INSTANCE}
track_file maint {
  file /run/vrrpd/maint
}
bfd_instance rs1 {
  neighbor_ip 198.51.100.11
}
virtual_server_group web {
  192.0.2.100 80
  192.0.2.110-112 8080
  fwmark 7
}
virtual_server_group web6 {
  2001:db8::10-1f 443
}
virtual_server 192.0.2.100 443 {
  ip_family inet
  protocol tcp
  lvs_sched sh
  lvs_method NAT
  ops
  hashed
  flag-1
  flag-2
  flag-3
  sh-port
  sh-fallback
  mh-port
  mh-fallback
  persistence_timeout 600
  persistence_granularity 255.255.255.0
  persistence_engine sip
  quorum 2
  hysteresis 1
  quorum_up "/usr/local/bin/quorum up" nobody
  quorum_down /usr/local/bin/quorum-down
  alpha
  omega
  inhibit_on_failure
  ha_suspend
  virtualhost www.example.com
  sorry_server_inhibit
  sorry_server 198.51.100.99 8443
  sorry_server_lvs_method NAT
  weight 2
  delay_loop 2.5
  retry 4
  delay_before_retry 0.5
  warmup 1
  connect_timeout 2
  real_server 198.51.100.11 8443 {
    weight 3
    lvs_method NAT
    inhibit_on_failure
    notify_up /usr/local/bin/up
    notify_down "/usr/local/bin/down now" nobody nogroup
    virtualhost api.example.com
    delay_loop 3
    retry 2
    delay_before_retry 1
    warmup 0
    connect_timeout 4
    alpha
    TCP_CHECK {
      connect_ip 198.51.100.21
      connect_port 9000
      bindto 198.51.100.2
      connect_timeout 1.5
      retry 5
      delay_before_retry 0.2
      warmup 2
      delay_loop 6
      alpha false
      bind_port 40000
      bind_if eth1
      log_all_failures
    }
    HTTP_GET {
      connect_port 8080
      virtualhost www.example.com
      http_protocol 1.1
      enable_sni
      tls_compliant
      fast_recovery
      url {
        path /healthz
        status_code 200-299 301
        digest 9b3a0c85a887a256d6939da88aabd8cd
      }
      url {
        path /readyz
      }
    }
    SSL_GET {
      nb_get_retry 3
      verify_certificate /etc/ssl/certs/ca-certificates.crt
      url {
        path /
      }
    }
    FILE_CHECK {
      track_file maint
      weight -10 reverse
    }
    BFD_CHECK {
      name rs1
      alpha
    }
    MISC_CHECK {
      misc_path "/usr/local/bin/check 198.51.100.11"
      misc_timeout 7
      misc_dynamic
      user nobody
      retry 1
      delay_before_retry 2
      warmup 3
      delay_loop 4
      alpha
    }
    DNS_CHECK {
      connect_ip 198.51.100.53
      type A
      name www.example.com
    }
    PING_CHECK {
      connect_timeout 1
    }
    UDP_CHECK {
      connect_port 53
      payload 0001
      require_reply 00XX
      min_reply_length 2
      max_reply_length 512
    }
    SMTP_CHECK {
      connect_port 25
      helo_name lb1.example.test
    }
  }
  real_server 198.51.100.13 {
  }
}
virtual_server fwmark 5 {
  ip_family inet6
  lb_algo rr
  lb_kind NAT
  nb_get_retry 2
  real_server 2001:db8::12 {
    lb_kind NAT
    nb_get_retry 1
  }
}
virtual_server group web {
  protocol UDP
  lvs_sched wrr
  real_server 198.51.100.12 80 {
  }
}
`;

/** Each keyword with a field and its aliases, in the block and the blocks nested in it (real_server, the checkers, url). */
function spellings(keywords: readonly Keyword<object, unknown>[]): string[] {
  return keywords.flatMap((keyword) => {
    if (!keyword.field) return [];
    const form = keyword.yaml[0]?.form;
    const inside = form?.kind === 'block' || form?.kind === 'blocks' ? spellings(form.block.keywords) : [];
    return [keyword.name, ...keyword.aliases, ...inside];
  });
}

function roundTrip(text: string): void {
  const original = loadKeepalivedText(text, 'keepalived.conf');
  expect(original.issues.filter((issue) => issue.severity === 'error').map(formatIssue)).toEqual([]);
  const yaml = writeYamlConfig(original.config);
  const fromYaml = loadYamlText(yaml, 'converted.yaml');
  expect(fromYaml.issues.filter((issue) => issue.severity === 'error').map(formatIssue), yaml).toEqual([]);
  expect(withoutSources(fromYaml.config), yaml).toEqual(withoutSources(original.config));
  // The same warnings, each at its place in the YAML file.
  expect(fromYaml.issues.length).toBe(original.issues.length);
  const back = writeKeepalivedConfig(fromYaml.config);
  const fromConf = loadKeepalivedText(back, 'back.conf');
  expect(withoutSources(fromConf.config), back).toEqual(withoutSources(original.config));
}

describe('virtual servers through vrrpd convert', () => {
  test('the every-keyword file says every keyword of virtual-server.ts and each alias', () => {
    const said = new Set(EVERY_KEYWORD.split('\n').map((line) => line.trim().split(/\s+/)[0]));
    expect([...new Set(spellings(VIRTUAL_SERVER.keywords as readonly Keyword<object, unknown>[]))].filter((name) => !said.has(name))).toEqual([]);
  });

  test('every keyword: keepalived.conf -> YAML -> model, and YAML -> keepalived.conf -> model, the same', () => {
    // persistence_engine and the checkers not in this build are refused or warned about alike in both.
    const persistence = EVERY_KEYWORD.replace('  persistence_engine sip\n', '');
    roundTrip(persistence);
  });

  test("kube-keepalived-vip's configuration, through the vrrpd convert command both ways", async () => {
    const dir = scratchDir('vs-yaml');
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, KUBE_KEEPALIVED_VIP);
    let out = '';
    let err = '';
    expect(await convert({ file: conf }, (text) => (out += text), (text) => (err += text))).toBe(0);
    // Only vrrp_iptables, which vrrpd has always ignored: nothing is said to be left out.
    expect(err).toBe(`${conf}:4:3: warning: vrrp_iptables: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)\n`);
    const yamlFile = join(dir, 'keepalived.yaml');
    writeFileSync(yamlFile, out);
    const realServer = (address: string) => `      - address: ${address}
        port: 8080
        weight: 1
        tcpCheck:
          connectPort: 8080
          connectTimeout: 3
`;
    expect(out).toContain(`virtualServers:
  - address: 192.0.2.100
    port: 80
    protocol: TCP
    lvsSched: wlc
    lvsMethod: NAT
    persistenceTimeout: 1800
    delayLoop: 5
    realServers:
${['198.51.100.11', '198.51.100.12', '198.51.100.13'].map(realServer).join('')}`);

    let back = '';
    expect(await convert({ file: yamlFile }, (text) => (back += text), (text) => (err += text))).toBe(0);
    const original = loadKeepalivedText(KUBE_KEEPALIVED_VIP, 'keepalived.conf').config;
    expect(withoutSources(loadYamlText(readFileSync(yamlFile, 'utf8'), yamlFile).config)).toEqual(withoutSources(original));
    expect(withoutSources(loadKeepalivedText(back, 'back.conf').config)).toEqual(withoutSources(original));
    expect(original.virtualServers?.[0]?.realServers).toHaveLength(3);
  });

  test("configuration.md's YAML example loads as written, and back through both writers", () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/configuration.md'), 'utf8');
    const example = /### Virtual servers in YAML[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const loaded = loadYamlText(example!, 'configuration.md');
    expect(loaded.issues.filter((issue) => issue.severity === 'error').map(formatIssue)).toEqual([]);
    expect(loaded.config.virtualServers?.map((vs) => [vs.target, vs.realServers.map((rs) => rs.checkers.map((checker) => checker.type))])).toEqual([
      [{ kind: 'address', family: 'ipv4', address: '192.0.2.100', port: 80 }, [['TCP_CHECK'], ['HTTP_GET']]],
      [{ kind: 'group', name: 'web' }, [['MISC_CHECK']]],
    ]);
    expect(loaded.config.virtualServerGroups).toHaveLength(1);
    expect(withoutSources(loadYamlText(writeYamlConfig(loaded.config), 'again.yaml').config)).toEqual(withoutSources(loaded.config));
    expect(withoutSources(loadKeepalivedText(writeKeepalivedConfig(loaded.config), 'again.conf').config)).toEqual(withoutSources(loaded.config));
  });

  test('a real server with two checkers of one type keeps both, in order', () => {
    roundTrip(`${INSTANCE}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  real_server 198.51.100.11 80 {
    TCP_CHECK {
      connect_port 80
    }
    TCP_CHECK {
      connect_port 8080
    }
  }
}
`);
  });
});

/** A YAML file with one virtual server whose lines are `body` (indented by the case), and what `vrrpd check` says. */
const VS = (body: string): string => `vrrpInstances:
  - name: VI_1
    interface: eth0
    virtualRouterId: 51
    virtualIpaddress: [192.0.2.100/24]
virtualServers:
  - address: 192.0.2.100
    port: 80
    protocol: TCP
${body}`;

const GOOD_SERVER = `    realServers:
      - address: 198.51.100.11
        port: 80
        tcpCheck:
          connectTimeout: 3
`;

/** [what, YAML, the lines of vrrpd check that matter (errors, and the warning of an unknown key)]. */
const CHECK_CASES: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['a bad virtual server address', VS(GOOD_SERVER).replace('address: 192.0.2.100\n', 'address: 192.0.2.300\n'), ['7:14: error: "192.0.2.300" is not an IPv4 or IPv6 address']],
  [
    'a bad real server address',
    VS(`    lvsSched: rr\n    lvsMethod: NAT\n${GOOD_SERVER.replace('198.51.100.11', '198.51.100.x')}`),
    ['13:18: error: "198.51.100.x" is not an IPv4 or IPv6 address'],
  ],
  ['an unknown scheduler', VS(`    lvsSched: fastest\n    lvsMethod: NAT\n${GOOD_SERVER}`), ['10:15: error: lvsSched fastest is not a scheduler: use one of rr, wrr, lc, wlc, sh, dh, mh, sed, nq, fo, ovf']],
  [
    'lvs_method TUN, refused with its reason',
    VS(`    lvsSched: rr\n    lvsMethod: TUN\n${GOOD_SERVER}`),
    [
      "11:16: error: lvsMethod TUN cannot be done on nftables: it has no statement that encapsulates a packet in IP-in-IP (IPVS does it in its own transmit path); use NAT, or DR with the real servers on the director's link",
    ],
  ],
  ['a method that is none', VS(`    lvsSched: rr\n    lvsMethod: XYZ\n${GOOD_SERVER}`), ['11:16: error: lvsMethod "XYZ" is not valid: expected NAT, DR or TUN']],
  ['an unknown key, with the nearest one', VS(`    lvsSched: rr\n    lvsMethd: NAT\n${GOOD_SERVER}`), ['11:5: warning: unknown key "lvsMethd" in virtualServers[0] (did you mean lvsMethod?); ignored']],
  ['an unknown key in a real server', VS(`    lvsSched: rr\n    lvsMethod: NAT\n${GOOD_SERVER}        wieght: 2\n`), ['17:9: warning: unknown key "wieght" in realServers (did you mean weight?); ignored']],
  ['a port out of range', VS(`    lvsSched: rr\n    lvsMethod: NAT\n${GOOD_SERVER.replace('port: 80', 'port: 70000')}`), ['14:15: error: realServer port "70000" is not valid: expected a whole number 0..65535']],
  ['a virtual server saying neither address, fwmark nor group', VS(`    lvsSched: rr\n${GOOD_SERVER}`).replace('  - address: 192.0.2.100\n    port: 80\n    protocol: TCP\n', '  - protocol: TCP\n'), ['7:5: error: virtualServers[0] needs fwmark, or group, or address']],
  ['fwmark and address at once', VS(`    fwmark: 5\n    lvsSched: rr\n${GOOD_SERVER}`), ['7:5: error: virtualServers[0]: fwmark and address exclude each other (one of them says what the block is)']],
  ['a bad checker value', VS(`    lvsSched: rr\n    lvsMethod: NAT\n${GOOD_SERVER.replace('connectTimeout: 3', 'connectTimeout: soon')}`), ['16:27: error: connectTimeout "soon" is not valid: expected seconds 0..86400 (decimals allowed)']],
];

describe('vrrpd check of a YAML file with virtual servers: what is wrong at file:line:column', () => {
  const dir = scratchDir('vs-yaml-check');

  test('a good file is OK and lists its virtual server', async () => {
    const file = join(dir, 'good.yaml');
    writeFileSync(file, VS(`    lvsSched: rr\n    lvsMethod: NAT\n${GOOD_SERVER}`));
    let out = '';
    expect(await check({ file, offline: true }, (text) => (out += text))).toBe(0);
    expect(out).toBe(`${file}: OK, 1 vrrp_instance, 1 virtual_server\n`);
  });

  test.each(CHECK_CASES)('%s', async (name, yaml, expected) => {
    const file = join(dir, `${name.replace(/\W+/g, '-')}.yaml`);
    writeFileSync(file, yaml);
    let out = '';
    const code = await check({ file, offline: true }, (text) => (out += text));
    const lines = out.split('\n').filter((line) => line.startsWith(`${file}:`) && (line.includes(': error: ') || line.includes('unknown key')));
    expect(lines, out).toEqual(expected.map((line) => `${file}:${line}`));
    expect(code).toBe(expected.some((line) => line.includes(': error: ')) ? 1 : 0);
  });
});
