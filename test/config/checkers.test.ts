// Checker blocks in a vrrp_script (config/keywords/checkers.ts): keepalived's keywords and
// defaults onto the model, the same in YAML, both writers and back (vrrpd convert), and what is
// wrong in them at file:line:column.
import { describe, expect, test } from 'vitest';
import type { CheckerConfig } from '../../src/config/checkers.js';
import { formatIssue } from '../../src/config/issues.js';
import { loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import type { VrrpdConfig } from '../../src/config/model.js';
import { writeKeepalivedConfig } from '../../src/config/write/keepalived.js';
import { writeYamlConfig } from '../../src/config/write/yaml.js';
import { loadYamlText } from '../../src/config/yaml/loader.js';
import { suggestChecker } from '../../src/scripting/checker-suggestion.js';

/** A vrrp_instance tracking the scripts named. */
const instance = (...scripts: string[]): string => `
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    virtual_ipaddress {
        192.0.2.100/24
    }
    track_script {
${scripts.map((name) => `        ${name}`).join('\n')}
    }
}
`;

function conf(script: string) {
  const result = loadKeepalivedText(`${script}\n${instance('chk')}`, 'keepalived.conf');
  return { ...result, lines: result.issues.map(formatIssue), script: result.config.scripts[0] };
}

function yaml(text: string) {
  const result = loadYamlText(text, 'vrrpd.yaml');
  return { ...result, lines: result.issues.map(formatIssue), script: result.config.scripts[0] };
}

/** What every checker holds by default (keepalived's, in a vrrp_script), for the fields a case leaves out. */
const COMMON = { connectTimeoutMs: 5000, retry: 0, warmupMs: 0, alpha: false, logAllFailures: false };
const HTTP = { httpProtocol: '1.0' as const, enableSni: false, tlsCompliant: false, fastRecovery: false };

describe('keepalived.conf', () => {
  test("the issue's SSL_GET example: url, connect_ip/port, connect_timeout; the timeout is what its attempts may take", () => {
    const { lines, script } = conf(`
vrrp_script chk {
    SSL_GET {
        url {
            path /readyz
            status_code 200
        }
        connect_ip 127.0.0.1
        connect_port 6443
        connect_timeout 2
    }
    interval 1
    fall 3
    rise 2
    weight -60
}`);
    expect(lines).toEqual([]);
    expect(script).toEqual({
      name: 'chk',
      script: '',
      intervalMs: 1000,
      timeoutMs: 2000,
      weight: -60,
      reverse: false,
      rise: 2,
      fall: 3,
      initFail: false,
      checker: { type: 'SSL_GET', ...COMMON, ...HTTP, connectIp: '127.0.0.1', connectPort: 6443, connectTimeoutMs: 2000, delayBeforeRetryMs: 3000, urls: [{ path: '/readyz', statusCodes: [[200, 200]] }] },
    });
  });

  test.each<[string, string, CheckerConfig]>([
    [
      'HTTP_GET: port 80, status 200-299, several urls with digest (any case), virtualhost, protocol, retry with its 3 s delay',
      'HTTP_GET {\n url {\n  path /healthz\n  digest 444BCB3A3FCF8389296C49467F27E1D6\n }\n url {\n  path /livez\n  status_code 200-299 404 500-503\n  virtualhost live.example.test\n }\n connect_ip 2001:db8::20\n virtualhost api.example.test\n http_protocol 1.0c\n nb_get_retry 2\n}',
      {
        type: 'HTTP_GET',
        ...COMMON,
        ...HTTP,
        connectIp: '2001:db8::20',
        connectPort: 80,
        retry: 2,
        delayBeforeRetryMs: 3000,
        virtualhost: 'api.example.test',
        httpProtocol: '1.0C',
        urls: [
          { path: '/healthz', digest: '444bcb3a3fcf8389296c49467f27e1d6', statusCodes: [[200, 299]] },
          { path: '/livez', statusCodes: [[200, 299], [404, 404], [500, 503]], virtualhost: 'live.example.test' },
        ],
      },
    ],
    [
      'SSL_GET: port 443, enable_sni, tls_compliant, verify_certificate, bindto, bind_port, bind_if',
      'SSL_GET {\n url {\n  path /\n }\n connect_ip 192.0.2.20\n bindto 192.0.2.10\n bind_port 40000\n bind_if eth0\n enable_sni\n tls_compliant yes\n verify_certificate /etc/vrrpd/ca.pem\n fast_recovery\n}',
      {
        type: 'SSL_GET',
        ...COMMON,
        ...HTTP,
        connectIp: '192.0.2.20',
        connectPort: 443,
        bindTo: '192.0.2.10',
        bindPort: 40000,
        bindInterface: 'eth0',
        delayBeforeRetryMs: 3000,
        enableSni: true,
        tlsCompliant: true,
        fastRecovery: true,
        verifyCertificate: '/etc/vrrpd/ca.pem',
        urls: [{ path: '/', statusCodes: [[200, 299]] }],
      },
    ],
    ['TCP_CHECK: delay_before_retry 1 s, warmup, alpha, log_all_failures', 'TCP_CHECK {\n connect_ip 192.0.2.20\n connect_port 5432\n warmup 3\n alpha\n log_all_failures\n}', { type: 'TCP_CHECK', ...COMMON, connectIp: '192.0.2.20', connectPort: 5432, delayBeforeRetryMs: 1000, warmupMs: 3000, alpha: true, logAllFailures: true }],
    ['PING_CHECK: no port', 'PING_CHECK {\n connect_ip 2001:db8::1\n connect_timeout 0.5\n}', { type: 'PING_CHECK', ...COMMON, connectIp: '2001:db8::1', connectPort: 0, connectTimeoutMs: 500, delayBeforeRetryMs: 1000 }],
    [
      "DNS_CHECK: port 53, SOA of '.', delay_before_retry the interval (keepalived: its delay_loop)",
      'DNS_CHECK {\n connect_ip 192.0.2.53\n retry 1\n}',
      { type: 'DNS_CHECK', ...COMMON, connectIp: '192.0.2.53', connectPort: 53, retry: 1, delayBeforeRetryMs: 2000, queryType: 'SOA', name: '.' },
    ],
    ['DNS_CHECK: type (any case) and name', 'DNS_CHECK {\n connect_ip 192.0.2.53\n type aaaa\n name svc.example.test\n}', { type: 'DNS_CHECK', ...COMMON, connectIp: '192.0.2.53', connectPort: 53, delayBeforeRetryMs: 2000, queryType: 'AAAA', name: 'svc.example.test' }],
    [
      "UDP_CHECK: payload and require_reply as keepalived's hex strings (X matches any digit), reply lengths 0..255 by default",
      'UDP_CHECK {\n connect_ip 192.0.2.53\n connect_port 53\n payload 12 34 5\n require_reply 12X4\n max_reply_length 512\n}',
      { type: 'UDP_CHECK', ...COMMON, connectIp: '192.0.2.53', connectPort: 53, delayBeforeRetryMs: 1000, payload: '123405', requireReply: { data: '1204', mask: '00f0' }, minReplyLength: 0, maxReplyLength: 512 },
    ],
    ['UDP_CHECK: require_reply alone asks for any reply', 'UDP_CHECK {\n connect_ip 192.0.2.53\n connect_port 53\n require_reply\n}', { type: 'UDP_CHECK', ...COMMON, connectIp: '192.0.2.53', connectPort: 53, delayBeforeRetryMs: 1000, requireReply: {}, minReplyLength: 0, maxReplyLength: 255 }],
  ])('%s', (_name, block, checker) => {
    const { lines, script } = conf(`vrrp_script chk {\n${block}\n interval 2\n}`);
    expect(lines).toEqual([]);
    expect(script?.checker).toEqual(checker);
  });

  test("a checker's delay_loop is the interval when the vrrp_script gives none; an interval wins", () => {
    const tcp = 'TCP_CHECK {\n connect_ip 192.0.2.20\n connect_port 22\n delay_loop 0.2\n connect_timeout 0.1\n}';
    expect(conf(`vrrp_script chk {\n${tcp}\n}`).script).toMatchObject({ intervalMs: 200, timeoutMs: 100, checker: { delayLoopMs: 200 } });
    expect(conf(`vrrp_script chk {\n${tcp}\n interval 3\n}`).script).toMatchObject({ intervalMs: 3000 });
  });

  test('the timeout defaults to the longest a run can take: every attempt with the waits between', () => {
    const { script } = conf('vrrp_script chk {\n TCP_CHECK {\n  connect_ip 192.0.2.20\n  connect_port 22\n  connect_timeout 2\n  retry 2\n  delay_before_retry 0.5\n }\n}');
    expect(script?.timeoutMs).toBe(3 * 2000 + 2 * 500);
  });

  test('what is wrong, at file:line:column', () => {
    const { lines } = conf(`vrrp_script chk {
    HTTP_GET {
        url {
            path /
            status_code 200 2xx 99
            digest nope
        }
        connect_ip api.example.test
        conect_timeout 3
        http_protocol 2.0
    }
    TCP_CHECK {
        connect_port 22
    }
    MISC_CHECK {
        misc_path /bin/true
    }
}
vrrp_script chk_dns {
    DNS_CHECK {
        connect_ip 192.0.2.53
        type PTR
        name a..example
    }
}
vrrp_script chk_udp {
    UDP_CHECK {
        connect_ip 192.0.2.53
        payload zz
        min_reply_length 70000
    }
}`);
    expect(lines).toEqual([
      'keepalived.conf:5:29: error: status_code "2xx" is not valid: expected a code or a range of codes within 100..599 (200, 200-299)',
      'keepalived.conf:5:33: error: status_code "99" is not valid: expected a code or a range of codes within 100..599 (200, 200-299)',
      'keepalived.conf:8:20: error: "api.example.test" is not an IPv4 or IPv6 address',
      'keepalived.conf:9:9: warning: unknown keyword "conect_timeout" (did you mean connect_timeout?); ignored',
      'keepalived.conf:10:23: error: http_protocol "2.0" is not valid: expected 1.0, 1.0C or 1.1',
      'keepalived.conf:12:5: error: vrrp_script: TCP_CHECK after HTTP_GET; give one of HTTP_GET or SSL_GET or TCP_CHECK or PING_CHECK or DNS_CHECK or UDP_CHECK or SMTP_CHECK per block',
      'keepalived.conf:15:5: warning: MISC_CHECK is a script: give the vrrp_script its script instead; the block is ignored',
      'keepalived.conf:22:14: error: type "PTR" is not valid: expected A, NS, CNAME, SOA, MX, TXT, AAAA, RRSIG or DNSKEY',
      'keepalived.conf:29:17: error: payload "zz" is not a hex string',
      'keepalived.conf:30:26: error: min_reply_length "70000" is not valid: expected a whole number 0..65535',
      'keepalived.conf:12:5: error: TCP_CHECK needs connect_ip: the address to check',
      'keepalived.conf:23:14: error: DNS_CHECK name "a..example" has an empty label',
      'keepalived.conf:27:5: error: UDP_CHECK needs connect_port: the port to check',
    ]);
  });

  test('a digest that is not MD5 and a url without path are placed at their lines', () => {
    const { lines } = conf('vrrp_script chk {\n HTTP_GET {\n  connect_ip 192.0.2.20\n  url {\n   digest abc\n  }\n }\n}');
    expect(lines).toEqual([
      'keepalived.conf:4:3: error: url needs path: the path to fetch (/readyz)',
      'keepalived.conf:5:11: error: digest "abc" is not an MD5 digest: 32 hex digits, as vrrpd genhash prints it',
    ]);
  });
});

describe('YAML', () => {
  test('the same blocks under their camelCase keys: urls as a list (or one mapping), hex as words', () => {
    const { lines, script } = yaml(`
vrrpScripts:
  chk:
    interval: 1
    weight: -60
    sslGet:
      connectIp: 127.0.0.1
      connectPort: 6443
      connectTimeout: 2
      urls:
        - path: /readyz
          statusCode: 200
        - path: /livez
          statusCode: 200-299 404
vrrpInstances:
  - name: VI_1
    interface: eth0
    virtualRouterId: 51
    virtualIpaddress: [192.0.2.100/24]
    trackScript: [chk]
`);
    expect(lines).toEqual([]);
    expect(script?.checker).toEqual({
      type: 'SSL_GET',
      ...COMMON,
      ...HTTP,
      connectIp: '127.0.0.1',
      connectPort: 6443,
      connectTimeoutMs: 2000,
      delayBeforeRetryMs: 3000,
      urls: [
        { path: '/readyz', statusCodes: [[200, 200]] },
        { path: '/livez', statusCodes: [[200, 299], [404, 404]] },
      ],
    });
    const one = yaml('vrrpScripts:\n  chk:\n    httpGet:\n      connectIp: 192.0.2.20\n      url:\n        path: /healthz\n');
    expect(one.script?.checker).toMatchObject({ type: 'HTTP_GET', urls: [{ path: '/healthz', statusCodes: [[200, 299]] }] });
    const udp = yaml('vrrpScripts:\n  chk:\n    udpCheck:\n      connectIp: 192.0.2.53\n      connectPort: 53\n      payload: 1234 56\n      requireReply: 12\n');
    expect(udp.script?.checker).toMatchObject({ payload: '123456', requireReply: { data: '12' } });
  });

  test('what is wrong, at line:column of the YAML', () => {
    const { lines } = yaml(`vrrpScripts:
  chk:
    tcpCheck:
      connectPort: 22
      conectTimeout: 1
    httpGet:
      connectIp: 192.0.2.20
      urls:
        - path: /
          statusCode: 2xx
`);
    expect(lines).toEqual([
      'vrrpd.yaml:5:7: warning: unknown key "conectTimeout" in tcpCheck (did you mean connectTimeout?); ignored',
      'vrrpd.yaml:10:23: error: statusCode "2xx" is not valid: expected a code or a range of codes within 100..599 (200, 200-299)',
      'vrrpd.yaml:6:5: error: vrrp_script: HTTP_GET after TCP_CHECK; give one of HTTP_GET or SSL_GET or TCP_CHECK or PING_CHECK or DNS_CHECK or UDP_CHECK or SMTP_CHECK per block',
    ]);
  });
});

describe('vrrpd convert carries them both ways', () => {
  const every = `
vrrp_script chk_https {
    SSL_GET {
        url {
            path /readyz
            status_code 200
        }
        url {
            path /version
            digest 444bcb3a3fcf8389296c49467f27e1d6
        }
        connect_ip 127.0.0.1
        connect_port 6443
        connect_timeout 2
        enable_sni
        virtualhost api.example.test
        verify_certificate /etc/kubernetes/pki/ca.crt
    }
    interval 1
    fall 3
    rise 2
    weight -60
}
vrrp_script chk_dns {
    DNS_CHECK {
        connect_ip 2001:db8::53
        type A
        name svc.example.test
        retry 2
    }
    interval 0.5
}
vrrp_script chk_udp {
    UDP_CHECK {
        connect_ip 192.0.2.53
        connect_port 53
        payload 0001
        require_reply 00X1
        min_reply_length 12
    }
}
vrrp_script chk_ping {
    PING_CHECK {
        connect_ip 192.0.2.1
        delay_loop 0.2
        alpha
    }
}
vrrp_script chk_tcp {
    TCP_CHECK {
        connect_ip 192.0.2.20
        connect_port 22
        bindto 192.0.2.10
        bind_port 40000
        warmup 2
    }
    timeout 10
}
${instance('chk_https', 'chk_dns', 'chk_udp', 'chk_ping', 'chk_tcp')}`;

  test('keepalived.conf -> YAML -> keepalived.conf: the same model at each step, the same text at the end', () => {
    const first = loadKeepalivedText(every, 'keepalived.conf');
    expect(first.issues.map(formatIssue)).toEqual([]);
    const model: VrrpdConfig = first.config;
    expect(model.scripts.map((script) => script.checker?.type)).toEqual(['SSL_GET', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'TCP_CHECK']);
    const asYaml = writeYamlConfig(model);
    const fromYaml = loadYamlText(asYaml, 'vrrpd.yaml');
    expect(fromYaml.issues.map(formatIssue), asYaml).toEqual([]);
    expect(fromYaml.config).toEqual(model);
    const asConf = writeKeepalivedConfig(fromYaml.config);
    const again = loadKeepalivedText(asConf, 'again.conf');
    expect(again.issues.map(formatIssue), asConf).toEqual([]);
    expect(again.config).toEqual(model);
    expect(writeKeepalivedConfig(again.config)).toBe(asConf);
    // No empty `script` line for a checker, and the defaults left out.
    expect(asConf).not.toContain('script ""');
    expect(asConf).toContain('    SSL_GET {\n        connect_ip 127.0.0.1\n        connect_port 6443\n        connect_timeout 2\n        url {\n            path /readyz\n            status_code 200\n        }\n        url {\n');
  });
});

describe("vrrpd check's advice is ready to paste", () => {
  test.each([
    'curl --silent --max-time 2 --insecure https://localhost:6443/',
    '/usr/bin/curl -sf http://127.0.0.1:10248/healthz',
    "/bin/sh -c 'curl -fsS -o /dev/null -H \"Host: api.example.test\" https://[2001:db8::1]/readyz?verbose >/dev/null'",
    'nc -z -w 2 192.0.2.10 6443',
    'nc -zu -w1 192.0.2.10 53',
  ])('%s: the suggested block loads as the vrrp_script body, with no issue', (command) => {
    const suggestion = suggestChecker(command);
    expect(suggestion).toBeDefined();
    const { lines, script } = conf(`vrrp_script chk {\n${(suggestion?.block ?? []).join('\n')}\n}`);
    expect(lines).toEqual([]);
    expect(script?.checker?.type).toBe(suggestion?.type);
  });
});
