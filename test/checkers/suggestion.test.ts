// `vrrpd check`'s advice: which built-in checker does what a curl or nc check script does.
import { describe, expect, test } from 'vitest';
import { suggestChecker } from '../../src/scripting/checker-suggestion.js';

describe('a built-in checker for a curl or nc check script', () => {
  test("the Kubernetes API HA check_apiserver curl: SSL_GET, no verification (--insecure), curl's any-status, its max time", () => {
    expect(suggestChecker('curl --silent --max-time 2 --insecure https://localhost:6443/')).toEqual({
      type: 'SSL_GET',
      block: ['SSL_GET {', '    url {', '        path /', '        status_code 100-599', '    }', '    connect_ip 127.0.0.1', '    connect_port 6443', '    connect_timeout 2', '}'],
      notes: [
        'localhost is written as 127.0.0.1 (connect_ip takes an address)',
        'curl without --fail passes any HTTP status: status_code 100-599 says the same (keepalived would pass 200-299 alone)',
      ],
    });
  });

  test('the kubelet healthz with -sf: HTTP_GET with status_code 100-399; a Host header becomes virtualhost; https without -k verifies', () => {
    expect(suggestChecker('/usr/bin/curl -sf http://127.0.0.1:10248/healthz')?.block).toEqual([
      'HTTP_GET {',
      '    url {',
      '        path /healthz',
      '        status_code 100-399',
      '    }',
      '    connect_ip 127.0.0.1',
      '    connect_port 10248',
      '}',
    ]);
    expect(suggestChecker("/bin/sh -c 'curl -fsS -o /dev/null -H \"Host: api.example.test\" https://[2001:db8::1]/readyz?verbose >/dev/null'")?.block).toEqual([
      'SSL_GET {',
      '    url {',
      '        path /readyz?verbose',
      '        status_code 100-399',
      '    }',
      '    connect_ip 2001:db8::1',
      '    connect_port 443',
      '    virtualhost api.example.test',
      '    verify_certificate /etc/ssl/certs/ca-certificates.crt',
      '    enable_sni',
      '}',
    ]);
  });

  test('nc -z: TCP_CHECK (UDP_CHECK with -u), with -w as connect_timeout', () => {
    expect(suggestChecker('nc -z -w 2 192.0.2.10 6443')?.block).toEqual(['TCP_CHECK {', '    connect_ip 192.0.2.10', '    connect_port 6443', '    connect_timeout 2', '}']);
    expect(suggestChecker('nc -zuw1 192.0.2.10 53')).toBeUndefined(); // -w glued to other flags: not plain enough to be sure
    expect(suggestChecker('nc -zu -w1 192.0.2.10 53')?.type).toBe('UDP_CHECK');
  });

  test('what it leaves alone: other programs, pipes, redirects followed, bodies sent, host names, nc without -z', () => {
    for (const command of [
      '/usr/local/bin/check_apiserver.sh',
      "/bin/sh -c 'curl -s http://127.0.0.1/ | grep ok'",
      'curl -L http://127.0.0.1/',
      'curl -X POST http://127.0.0.1/',
      'curl -o /tmp/out http://127.0.0.1/',
      'curl http://api.example.test/',
      'curl ftp://127.0.0.1/',
      'nc 192.0.2.10 6443',
      'killall -0 haproxy',
    ]) {
      expect(suggestChecker(command), command).toBeUndefined();
    }
  });
});
