// `vrrpd convert`: for every file of the keepalived.conf corpus, conf -> YAML -> model equals
// conf -> model, and so does conf -> conf (the writer says everything the model holds).
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { formatIssue } from '../../src/config/issues.js';
import { loadKeepalivedConfig, loadKeepalivedText } from '../../src/config/keepalived/loader.js';
import { writeKeepalivedConfig } from '../../src/config/write/keepalived.js';
import { writeYamlConfig } from '../../src/config/write/yaml.js';
import { loadYamlText } from '../../src/config/yaml/loader.js';
import { convert } from '../../src/cli/convert.js';
import { KUBE_KEEPALIVED_VIP } from '../helpers/kube-keepalived-vip.js';
import { scratchDir } from '../helpers/scratch.js';

const corpus = join(import.meta.dirname, 'keepalived', 'corpus');
const files = readdirSync(corpus).filter((name) => name.endsWith('.conf'));

describe('round trip through YAML and back, every corpus file', () => {
  test('the corpus has files', () => expect(files.length).toBeGreaterThanOrEqual(7));

  test.each(files)('%s', (name) => {
    const original = loadKeepalivedConfig(join(corpus, name));
    expect(original.issues.filter((issue) => issue.severity === 'error')).toEqual([]);

    const yaml = writeYamlConfig(original.config);
    const fromYaml = loadYamlText(yaml, `${name}.yaml`);
    expect(fromYaml.issues.map(formatIssue)).toEqual([]);
    expect(fromYaml.config).toEqual(original.config);

    const back = writeKeepalivedConfig(fromYaml.config);
    const fromConf = loadKeepalivedText(back, `${name}.back`);
    expect(fromConf.issues.map(formatIssue)).toEqual([]);
    expect(fromConf.config).toEqual(original.config);
  });
});

describe('vrrpd convert', () => {
  const dir = scratchDir('convert');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(file: string, to?: string) {
    let out = '';
    let err = '';
    const code = await convert({ file, ...(to ? { to } : {}) }, (text) => (out += text), (text) => (err += text));
    return { code, out, err };
  }

  test('virtual_server blocks are converted, not left out (test/config/yaml/virtual-servers.test.ts has their round trips)', async () => {
    const file = join(dir, 'kube.conf');
    writeFileSync(file, KUBE_KEEPALIVED_VIP);
    const { code, out, err } = await run(file);
    expect(code).toBe(0);
    expect(err.split('\n').filter(Boolean)).toEqual([`${file}:4:3: warning: vrrp_iptables: vrrpd installs no firewall rules; ignored (accept VRRP, protocol 112, and filter the VIPs yourself)`]);
    expect(out).toContain('vrrpInstances:');
    expect(out).toContain('virtualServers:\n  - address: 192.0.2.100\n    port: 80\n');
  });

  test('keepalived.conf to YAML by default, with what a reader needs to recognise it', async () => {
    const { code, out, err } = await run(join(corpus, 'k8s-api-haproxy.conf'));
    expect([code, err]).toEqual([0, '']);
    expect(out).toBe(`# Converted by vrrpd convert from k8s-api-haproxy.conf
global:
  routerId: LB_1
  enableScriptSecurity: true
  scriptUser: root
  vrrpGarpMasterRefresh: 60
vrrpScripts:
  chk_haproxy:
    script: /usr/bin/killall -0 haproxy
    interval: 2
    weight: -30
    rise: 2
    fall: 2
vrrpInstances:
  - name: VI_K8S
    state: MASTER
    interface: eth0
    virtualRouterId: 51
    priority: 101
    authentication:
      authType: PASS
      authPass: k8s-vip1
    virtualIpaddress:
      - 192.0.2.10/24 dev eth0 label eth0:vip
    trackScript:
      - chk_haproxy
    notifyMaster: /etc/keepalived/notify.sh master
`);
  });

  test('YAML back to keepalived.conf', async () => {
    const file = join(dir, 'gw.yaml');
    writeFileSync(file, 'vrrpInstances:\n  - {id: 7, interface: {detectionStrategy: Name, name: eth0}, preempt: false, virtualIPAddresses: [{address: 192.0.2.7/32}]}\n');
    const { code, out } = await run(file);
    expect(code).toBe(0);
    expect(out).toBe(`! Converted by vrrpd convert from gw.yaml

vrrp_instance instance_7 {
    interface eth0
    virtual_router_id 7
    nopreempt
    virtual_ipaddress {
        192.0.2.7/32
    }
}
`);
  });

  test('YAML with interface detection cannot become keepalived.conf off the host', async () => {
    const file = join(dir, 'detect.yaml');
    writeFileSync(file, 'vrrpInstances:\n  - id: 7\n    interface: {detectionStrategy: DefaultRoute}\n    virtualIPAddresses: [192.0.2.7]\n');
    const { code, out, err } = await run(file);
    expect([code, out]).toEqual([1, '']);
    expect(err).toBe(`${file}:3:36: error: keepalived.conf names interfaces; the interface of the IPv4 default route is only known on the host (run convert there with --host)\n`);
  });

  test('a file with errors is not converted; an unknown --to is a usage error', async () => {
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'vrrp_instance A {\n  interface eth0\n  virtual_router_id 300\n}\n');
    const { code, out, err } = await run(file);
    expect([code, out]).toEqual([1, '']);
    expect(err).toContain(`${file}:3:21: error: virtual_router_id "300" is not valid: expected a whole number 1..255\n`);
    await expect(run(file, 'json')).rejects.toThrow('--to: "json" is not a format: expected yaml or keepalived');
  });
});
