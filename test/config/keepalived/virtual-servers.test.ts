// keepalived.conf's load-balancing blocks onto the model (config/keywords/virtual-server.ts):
// kube-keepalived-vip's configuration as its template renders it, every keyword of virtual_server,
// real_server, the checkers and virtual_server_group, and what is wrong at its file:line:column,
// including what nftables cannot do (validate-virtual-servers.ts, through the same loader).
import { describe, expect, test } from 'vitest';
import { collectIssues, formatIssue } from '../../../src/config/issues.js';
import { loadKeepalivedText } from '../../../src/config/keepalived/loader.js';
import { resolveVirtualServers } from '../../../src/config/validate-virtual-servers.js';
import { KUBE_KEEPALIVED_VIP } from '../../helpers/kube-keepalived-vip.js';

function load(text: string) {
  const result = loadKeepalivedText(text, 'keepalived.conf');
  return { ...result, lines: result.issues.map(formatIssue) };
}

const INSTANCE = 'vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n';


describe('virtual_server in keepalived.conf', () => {
  test("kube-keepalived-vip's configuration loads (vrrp_iptables aside) and resolves as keepalived would run it", () => {
    const { config, lines } = load(KUBE_KEEPALIVED_VIP);
    // vrrpd's answer to vrrp_iptables since before the load balancer.
    expect(lines).toEqual(['keepalived.conf:4:3: warning: vrrp_iptables: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)']);
    const realServer = (address: string) => ({ family: 'ipv4', address, port: 8080, weight: 1, checkers: [{ type: 'TCP_CHECK', connectPort: 8080, connectTimeoutMs: 3000, logAllFailures: false }], source: expect.stringMatching(/^keepalived.conf:\d+$/) });
    expect(config.virtualServers).toEqual([
      {
        target: { kind: 'address', family: 'ipv4', address: '192.0.2.100', port: 80 },
        delayLoopMs: 5000,
        scheduler: 'wlc',
        method: 'NAT',
        persistenceTimeoutMs: 1_800_000,
        protocol: 'TCP',
        flags: [],
        alpha: false,
        omega: false,
        inhibitOnFailure: false,
        haSuspend: false,
        realServers: [realServer('198.51.100.11'), realServer('198.51.100.12'), realServer('198.51.100.13')],
        source: 'keepalived.conf:25',
      },
    ]);
    const issues = collectIssues();
    const [vs] = resolveVirtualServers(config, issues);
    expect(issues.issues).toEqual([]);
    expect(vs).toMatchObject({ key: '[192.0.2.100]:tcp:80', method: 'NAT', scheduler: 'wlc', persistence: { timeoutMs: 1_800_000, granularity: '255.255.255.255' } });
    expect(vs!.realServers.map((rs) => [rs.key, rs.checkers[0]!.delayLoopMs, rs.checkers[0]!.connectTimeoutMs, rs.checkers[0]!.retry])).toEqual([
      ['[198.51.100.11]:tcp:8080', 5000, 3000, 1],
      ['[198.51.100.12]:tcp:8080', 5000, 3000, 1],
      ['[198.51.100.13]:tcp:8080', 5000, 3000, 1],
    ]);
  });

  test('every keyword of virtual_server, real_server, sorry_server and the checkers', () => {
    const text = `${INSTANCE}
virtual_server 192.0.2.100 443 {
  ip_family inet
  protocol tcp
  lb_algo sh
  lb_kind NAT
  sh-port
  sh-fallback
  persistence_timeout
  persistence_granularity 255.255.255.0
  quorum 2
  hysteresis 1
  quorum_up "/usr/local/bin/quorum up" nobody
  quorum_down /usr/local/bin/quorum-down
  alpha
  omega
  inhibit_on_failure false
  ha_suspend
  virtualhost www.example.com
  sorry_server 198.51.100.99 8443
  sorry_server_inhibit
  weight 2
  delay_loop 2.5
  nb_get_retry 4
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
    }
    MISC_CHECK {
      misc_path "/usr/local/bin/check 198.51.100.11"
      misc_timeout 7
      misc_dynamic
      user nobody
    }
  }
}
`;
    const { config, lines } = load(text);
    expect(lines).toEqual([]);
    expect(config.virtualServers).toEqual([
      {
        target: { kind: 'address', family: 'ipv4', address: '192.0.2.100', port: 443 },
        family: 'ipv4',
        protocol: 'TCP',
        scheduler: 'sh',
        method: 'NAT',
        flags: ['sh-port', 'sh-fallback'],
        persistenceTimeoutMs: 360_000,
        persistenceGranularity: '255.255.255.0',
        quorum: 2,
        hysteresis: 1,
        quorumUp: { command: '/usr/local/bin/quorum up', user: 'nobody' },
        quorumDown: { command: '/usr/local/bin/quorum-down' },
        alpha: true,
        omega: true,
        inhibitOnFailure: false,
        haSuspend: true,
        virtualhost: 'www.example.com',
        sorryServer: { family: 'ipv4', address: '198.51.100.99', port: 8443, inhibit: true },
        weight: 2,
        delayLoopMs: 2500,
        retry: 4,
        delayBeforeRetryMs: 500,
        warmupMs: 1000,
        connectTimeoutMs: 2000,
        source: 'keepalived.conf:9',
        realServers: [
          {
            family: 'ipv4',
            address: '198.51.100.11',
            port: 8443,
            weight: 3,
            method: 'NAT',
            inhibitOnFailure: true,
            notifyUp: { command: '/usr/local/bin/up' },
            notifyDown: { command: '/usr/local/bin/down now', user: 'nobody nogroup' },
            virtualhost: 'api.example.com',
            delayLoopMs: 3000,
            retry: 2,
            delayBeforeRetryMs: 1000,
            warmupMs: 0,
            connectTimeoutMs: 4000,
            source: 'keepalived.conf:35',
            checkers: [
              { type: 'TCP_CHECK', connectIp: '198.51.100.21', connectPort: 9000, bindTo: '198.51.100.2', connectTimeoutMs: 1500, retry: 5, delayBeforeRetryMs: 200, warmupMs: 2000, delayLoopMs: 6000, alpha: false, logAllFailures: false },
              { type: 'MISC_CHECK', path: '/usr/local/bin/check 198.51.100.11', timeoutMs: 7000, dynamic: true, user: 'nobody' },
            ],
          },
        ],
      },
    ]);
  });

  test('virtual_server fwmark and group, and virtual_server_group entries (ranges, ports, marks)', () => {
    const text = `${INSTANCE}
virtual_server_group web {
  192.0.2.100 80
  192.0.2.110-112 80
  fwmark 7
}
virtual_server fwmark 5 {
  protocol TCP
  real_server 198.51.100.11 {
  }
}
virtual_server group web {
  protocol TCP
  real_server 198.51.100.12 80 {
  }
}
`;
    const { config, lines } = load(text);
    // keepalived's own warnings, from validation at the blocks' lines.
    expect(lines).toEqual([
      'keepalived.conf:15:12: warning: protocol is ignored for a fwmark service: the mark selects the packets',
      'keepalived.conf:14:16: warning: no lvs_sched set: keepalived defaults to wlc, and so does vrrpd',
      'keepalived.conf:14:16: warning: no lvs_method set: keepalived defaults to NAT, and so does vrrpd',
      'keepalived.conf:19:16: warning: no lvs_sched set: keepalived defaults to wlc, and so does vrrpd',
      'keepalived.conf:19:16: warning: no lvs_method set: keepalived defaults to NAT, and so does vrrpd',
    ]);
    expect(config.virtualServerGroups).toEqual([
      {
        name: 'web',
        entries: [
          { kind: 'range', family: 'ipv4', first: '192.0.2.100', last: '192.0.2.100', port: 80 },
          { kind: 'range', family: 'ipv4', first: '192.0.2.110', last: '192.0.2.112', port: 80 },
          { kind: 'fwmark', mark: 7 },
        ],
      },
    ]);
    expect(config.virtualServers?.map((vs) => vs.target)).toEqual([
      { kind: 'fwmark', mark: 5 },
      { kind: 'group', name: 'web' },
    ]);
  });

  test('persistence_timeout 0 is no persistence, as in keepalived', () => {
    const { config, lines } = load(`${INSTANCE}virtual_server 192.0.2.100 80 {\n  protocol TCP\n  lvs_sched rr\n  lvs_method NAT\n  persistence_timeout 0\n  real_server 198.51.100.11 80 {\n  }\n}\n`);
    expect(lines).toEqual([]);
    expect(config.virtualServers?.[0]?.persistenceTimeoutMs).toBeUndefined();
  });

  test('what is wrong, and what nftables cannot do, at its file:line:column', () => {
    const text = `${INSTANCE}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lvs_sched lblc
  lvs_method TUN
  persistence_engine sip
  lvs_shed rr
  real_server 198.51.100.11 80 {
    weight 70000
    MISC_CHECK {
      misc_timeout 3
    }
  }
  real_server 198.51.100.300 80 {
  }
}
virtual_server 192.0.2.101 {
}
virtual_server group nowhere {
  protocol TCP
  real_server 198.51.100.11 80 {
  }
}
`;
    expect(load(text).lines).toEqual([
      'keepalived.conf:14:3: warning: unknown keyword "lvs_shed" (did you mean lvs_sched?); ignored',
      'keepalived.conf:16:12: error: weight "70000" is not valid: expected a whole number 0..65535',
      'keepalived.conf:17:5: error: MISC_CHECK needs misc_path',
      'keepalived.conf:21:15: error: "198.51.100.300" is not an IPv4 or IPv6 address',
      'keepalived.conf:24:1: error: virtual_server needs a port after its address (0: every port, for a persistent service)',
      'keepalived.conf:11:13: error: lvs_sched lblc cannot be done on nftables: locality-based least-connection keeps a table of destination addresses to servers inside IPVS; use sh or mh',
      "keepalived.conf:12:14: error: lvs_method TUN cannot be done on nftables: it has no statement that encapsulates a packet in IP-in-IP (IPVS does it in its own transmit path); use NAT, or DR with the real servers on the director's link",
      "keepalived.conf:13:22: error: persistence_engine sip cannot be done on nftables: IPVS's SIP engine reads Call-IDs inside IPVS",
      'keepalived.conf:26:22: error: virtual_server group nowhere: no virtual_server_group of that name',
    ]);
  });

  test('FILE_CHECK and BFD_CHECK: what they name must exist (keepalived runs the server without the checker; vrrpd refuses), each at its line', () => {
    const text = `${INSTANCE}
track_file maintenance {
  file /run/vrrpd/maintenance
  weight 5 reverse
}
bfd_instance rs1 {
  neighbor_ip 198.51.100.11
}
bfd_instance vrrp_only {
  neighbor_ip 198.51.100.12
  vrrp
}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  real_server 198.51.100.11 80 {
    FILE_CHECK {
      track_file maintenance
    }
    FILE_CHECK {
      track_file maintenence
      weight 0
    }
    FILE_CHECK {
      weight 2147483648
    }
    BFD_CHECK {
      name rs1
    }
    BFD_CHECK {
      name rs1
    }
    BFD_CHECK {
      name vrrp_only
    }
    BFD_CHECK {
      name rs2
    }
    BFD_CHECK {
      alpha
    }
  }
}
`;
    const { config, lines } = load(text);
    expect(lines).toEqual([
      'keepalived.conf:33:14: error: weight "2147483648" is not valid: expected a whole number -2147483647..2147483647',
      'keepalived.conf:32:5: error: FILE_CHECK needs track_file NAME (a track_file block)',
      'keepalived.conf:47:5: error: BFD_CHECK needs name NAME (a bfd_instance)',
      'keepalived.conf:29:18: error: FILE_CHECK track_file maintenence is not defined by any track_file block (did you mean maintenance?)',
      'keepalived.conf:39:12: warning: BFD_CHECK rs1 is given twice for this real server: keepalived ignores the second, and so does vrrpd',
      'keepalived.conf:42:12: error: bfd_instance vrrp_only is written `vrrp` without `checker`, so the checkers do not hear of it: add `checker` to it',
      'keepalived.conf:45:12: error: BFD_CHECK rs2 is not a bfd_instance (did you mean rs1?)',
    ]);
    // Without its own weight a FILE_CHECK takes the track_file's, reverse included (check_file.c).
    const resolved = resolveVirtualServers(config, collectIssues());
    expect(resolved[0]!.realServers[0]!.checkers.map((checker) => [checker.id, checker.config])).toEqual([
      ['FILE_CHECK#1', { type: 'FILE_CHECK', file: { name: 'maintenance', path: '/run/vrrpd/maintenance' }, weight: 5, reverse: true }],
      ['BFD_CHECK#1', { type: 'BFD_CHECK', name: 'rs1' }],
    ]);
  });

  test("keepalived's corrections are warnings and what cannot run is an error, each at its line", () => {
    const text = `vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  virtual_ipaddress {
    192.0.2.100/24
  }
}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  quorum 5
  hysteresis 4
  real_server 198.51.100.11 80 {
    weight 2
  }
  real_server 198.51.100.11 80 {
  }
  real_server 2001:db8:2::11 80 {
  }
}
virtual_server 192.0.2.100 81 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  ops
  sh-port
  persistence_granularity 64
  sorry_server 2001:db8:2::99 80
  real_server 198.51.100.11 {
  }
  real_server 198.51.100.12 8080 {
  }
}
virtual_server 192.0.2.100 0 {
  protocol UDP
  lvs_sched sh
  lvs_method DR
  real_server 198.51.100.11 53 {
    lvs_method NAT
  }
}
virtual_server fwmark 9 {
  lvs_sched rr
  lvs_method DR
  ha_suspend
  real_server 198.51.100.11 80 {
  }
}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lvs_sched wlc
  lvs_method NAT
  real_server 198.51.100.13 80 {
  }
}
virtual_server 192.0.2.100 82 {
  protocol TCP
  lvs_sched fastest
  lvs_method NAT
  real_server 198.51.100.13 80 {
  }
}
`;
    expect(load(text).lines).toEqual([
      'keepalived.conf:17:15: warning: real server [198.51.100.11]:tcp:80 is listed twice: keepalived removes the second, and so does vrrpd',
      'keepalived.conf:19:15: error: real server 2001:db8:2::11 is IPv6 and the virtual server IPv4: NAT and DR keep the family',
      "keepalived.conf:12:10: warning: quorum 5 exceeds the real servers' total weight 2: keepalived lowers it to 2, and so does vrrpd",
      'keepalived.conf:13:14: warning: hysteresis 4 is not below quorum 2: keepalived lowers it to 1, and so does vrrpd',
      'keepalived.conf:22:16: warning: ops (one-packet scheduling) needs UDP: keepalived resets it, and so does vrrpd',
      'keepalived.conf:22:16: warning: sh-port only applies to the sh and mh schedulers: ignored',
      'keepalived.conf:28:27: error: persistence_granularity of an IPv4 service is a netmask (255.255.255.0)',
      "keepalived.conf:29:16: error: sorry_server's address family differs from the virtual server's: keepalived skips it; fix the address",
      'keepalived.conf:35:16: warning: port 0 (every port) is only valid for a persistent service: keepalived sets persistence_timeout 360, and so does vrrpd',
      "keepalived.conf:40:16: error: real server lvs_method NAT differs from the virtual server's DR: vrrpd does one method per virtual server",
      'keepalived.conf:45:14: error: lvs_method DR with a fwmark cannot be done: vrrpd forwards DR at the ingress hook, before any rule can set the mark; use NAT',
      'keepalived.conf:46:3: warning: ha_suspend cannot apply to a fwmark service (it has no address to watch): keepalived clears it, and so does vrrpd',
      'keepalived.conf:47:15: warning: real server 198.51.100.11 has a port, which a fwmark service with lvs_method DR ignores: keepalived clears it, and so does vrrpd',
      'keepalived.conf:50:16: error: virtual server [192.0.2.100]:tcp:80 is defined twice (also at keepalived.conf:8): each service can be defined once',
      'keepalived.conf:59:13: error: lvs_sched fastest is not a scheduler: use one of rr, wrr, lc, wlc, sh, dh, mh, sed, nq, fo, ovf',
    ]);
  });

  test('every checker type loads in a real_server with the checkers\' own keywords, and takes what it does not say from its real server, then its virtual server (check_data.c)', () => {
    const text = `${INSTANCE}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  delay_loop 10
  connect_timeout 2
  retry 4
  virtualhost www.example.test
  real_server 198.51.100.11 8080 {
    delay_loop 6
    warmup 3
    delay_before_retry 0.5
    virtualhost rs.example.test
    HTTP_GET {
      url {
        path /healthz
        digest 9B3A0C85A887A256D6939DA88AABD8CD
        status_code 200 300-302
      }
      url {
        path /readyz
        virtualhost ready.example.test
      }
      http_protocol 1.1
    }
    SSL_GET {
      url {
        path /readyz
      }
      connect_port 8443
      enable_sni
      verify_certificate /etc/ssl/certs/ca-certificates.crt
      virtualhost api.example.test
    }
    TCP_CHECK {
      connect_ip 198.51.100.21
      retry 0
      delay_loop 1
    }
    PING_CHECK {
      connect_timeout 1
    }
    DNS_CHECK {
      type A
      name svc.example.test
      connect_port 53
    }
    UDP_CHECK {
      payload 0001
      require_reply 00XX
      max_reply_length 16
      alpha
    }
    MISC_CHECK {
      misc_path /usr/local/bin/check
    }
  }
  real_server 198.51.100.12 {
    DNS_CHECK {
    }
  }
}
`;
    const { config, lines } = load(text);
    expect(lines).toEqual([]);
    // As written: the checker's own defaults (status codes, type, name, lengths), no inherited field it does not say.
    const written = config.virtualServers![0]!.realServers[0]!.checkers;
    expect(written[0]).toEqual({
      type: 'HTTP_GET',
      urls: [
        { path: '/healthz', digest: '9b3a0c85a887a256d6939da88aabd8cd', statusCodes: [[200, 200], [300, 302]] },
        { path: '/readyz', statusCodes: [[200, 299]], virtualhost: 'ready.example.test' },
      ],
      httpProtocol: '1.1',
      enableSni: false,
      tlsCompliant: false,
      fastRecovery: false,
      logAllFailures: false,
    });
    expect(written[2]).toEqual({ type: 'TCP_CHECK', connectIp: '198.51.100.21', retry: 0, delayLoopMs: 1000, logAllFailures: false });

    const issues = collectIssues();
    const [vs] = resolveVirtualServers(config, issues);
    expect(issues.issues).toEqual([]);
    const [rs1, rs2] = vs!.realServers;
    const timing = (checker: { delayLoopMs: number; retry: number; delayBeforeRetryMs: number; warmupMs: number; connectTimeoutMs: number; alpha: boolean }) => [checker.delayLoopMs, checker.retry, checker.delayBeforeRetryMs, checker.warmupMs, checker.connectTimeoutMs, checker.alpha];
    expect(rs1!.checkers.map((checker) => [checker.id, ...timing(checker)])).toEqual([
      // delay_loop, delay_before_retry and warmup the real server's; retry and connect_timeout the virtual server's.
      ['HTTP_GET', 6000, 4, 500, 3000, 2000, false],
      ['SSL_GET', 6000, 4, 500, 3000, 2000, false],
      ['TCP_CHECK', 1000, 0, 500, 3000, 2000, false],
      ['PING_CHECK', 6000, 4, 500, 3000, 1000, false],
      ['DNS_CHECK', 6000, 4, 500, 3000, 2000, false],
      ['UDP_CHECK', 6000, 4, 500, 3000, 2000, true],
      ['MISC_CHECK', 6000, 4, 500, 3000, 2000, false],
    ]);
    // What runs: connect_ip and connect_port the real server's unless the checker says them; the
    // timings filled in; the HTTP checkers' Host the real server's virtualhost unless theirs.
    expect(rs1!.checkers.map((checker) => checker.config)).toMatchObject([
      { type: 'HTTP_GET', connectIp: '198.51.100.11', connectPort: 8080, virtualhost: 'rs.example.test', delayLoopMs: 6000, retry: 4, delayBeforeRetryMs: 500, warmupMs: 3000, connectTimeoutMs: 2000 },
      { type: 'SSL_GET', connectIp: '198.51.100.11', connectPort: 8443, virtualhost: 'api.example.test', enableSni: true, verifyCertificate: '/etc/ssl/certs/ca-certificates.crt' },
      { type: 'TCP_CHECK', connectIp: '198.51.100.21', connectPort: 8080, retry: 0, delayLoopMs: 1000 },
      { type: 'PING_CHECK', connectIp: '198.51.100.11', connectPort: 0, connectTimeoutMs: 1000 },
      { type: 'DNS_CHECK', connectIp: '198.51.100.11', connectPort: 53, queryType: 'A', name: 'svc.example.test' },
      { type: 'UDP_CHECK', connectIp: '198.51.100.11', connectPort: 8080, payload: '0001', requireReply: { data: '0000', mask: '00ff' }, maxReplyLength: 16, alpha: true },
      { type: 'MISC_CHECK', path: '/usr/local/bin/check' },
    ]);
    // keepalived's defaults where no block says: DNS_CHECK retries 3 times, delay_before_retry its
    // delay_loop; warmup the delay_loop; a NAT real server without a port takes the service's.
    expect(rs2!.checkers.map((checker) => [checker.id, ...timing(checker)])).toEqual([['DNS_CHECK', 10_000, 4, 10_000, 10_000, 2000, false]]);
    expect(rs2!.checkers[0]!.config).toMatchObject({ connectIp: '198.51.100.12', connectPort: 80, queryType: 'SOA', name: '.' });
  });

  test("keepalived's per-type defaults when no block sets a timing: retry 1 (DNS_CHECK 3, MISC_CHECK 0), delay_before_retry 3 s for HTTP, 1 s otherwise, the delay_loop for DNS_CHECK", () => {
    const text = `${INSTANCE}
virtual_server 192.0.2.100 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  real_server 198.51.100.11 80 {
    HTTP_GET {
      url {
        path /
      }
    }
    TCP_CHECK {
    }
    DNS_CHECK {
    }
    MISC_CHECK {
      misc_path /bin/true
    }
  }
}
`;
    const { config, lines } = load(text);
    expect(lines).toEqual([]);
    const [vs] = resolveVirtualServers(config, collectIssues());
    expect(vs!.realServers[0]!.checkers.map((checker) => [checker.id, checker.delayLoopMs, checker.retry, checker.delayBeforeRetryMs, checker.warmupMs, checker.connectTimeoutMs])).toEqual([
      ['HTTP_GET', 60_000, 1, 3000, 60_000, 5000],
      ['TCP_CHECK', 60_000, 1, 1000, 60_000, 5000],
      ['DNS_CHECK', 60_000, 3, 60_000, 60_000, 5000],
      ['MISC_CHECK', 60_000, 0, 1000, 60_000, 5000],
    ]);
  });

  test("a real server's checker blocks: what is wrong at its file:line:column, by the checkers' own rules", () => {
    const text = `${INSTANCE}
virtual_server fwmark 5 {
  lvs_sched rr
  lvs_method NAT
  real_server 198.51.100.11 {
    HTTP_GET {
      url {
        path /health
        digest 1234
        status_code 200 99
      }
      http_protocol 2
    }
    SSL_GET {
      connect_port 443
    }
    TCP_CHECK {
      bindto 2001:db8::1
    }
    DNS_CHECK {
      type AXFR
      name bad..name
      connect_port 53
    }
    UDP_CHECK {
      connect_port 53
      payload zz
      min_reply_length 20
      max_reply_length 10
      require_reply
    }
    SMTP_CHECK {
      helo_name "lb1 example"
    }
  }
}
`;
    expect(load(text).lines).toEqual([
      'keepalived.conf:17:25: error: status_code "99" is not valid: expected a code or a range of codes within 100..599 (200, 200-299)',
      'keepalived.conf:19:21: error: http_protocol "2" is not valid: expected 1.0, 1.0C or 1.1',
      'keepalived.conf:28:12: error: type "AXFR" is not valid: expected A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG or DNSKEY',
      'keepalived.conf:34:15: error: payload "zz" is not a hex string',
      // A fwmark service's real server has no port to inherit: the checker must say one.
      'keepalived.conf:13:5: error: HTTP_GET needs connect_port: the port to check',
      'keepalived.conf:16:16: error: digest "1234" is not an MD5 digest: 32 hex digits, as vrrpd genhash prints it',
      'keepalived.conf:21:5: error: SSL_GET needs a url { path ... } block: what to fetch',
      'keepalived.conf:24:5: error: TCP_CHECK needs connect_port: the port to check',
      'keepalived.conf:25:14: error: bindto 2001:db8::1 is IPv6 but connect_ip 198.51.100.11 is not: both must be of one family',
      'keepalived.conf:29:12: error: DNS_CHECK name "bad..name" has an empty label',
      'keepalived.conf:35:24: error: min_reply_length 20 is more than max_reply_length 10: no reply could pass',
      'keepalived.conf:39:5: error: SMTP_CHECK needs connect_port: the port to check',
      'keepalived.conf:40:17: error: helo_name "lb1 example" must be one word: it is sent as HELO\'s argument',
    ]);
  });
});
