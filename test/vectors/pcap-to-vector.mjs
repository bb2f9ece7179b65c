// Turns one captured advertisement into a test vector, with what tshark decoded from it.
// Usage: node pcap-to-vector.mjs PCAP NAME DESCRIPTION VERSION CONF PRIORITY_ZERO(yes|no)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [pcap, name, description, version, conf, priorityZero] = process.argv.slice(2);
const packets = JSON.parse(execFileSync('tshark', ['-r', pcap, '-T', 'json', '--no-duplicate-keys', '-x'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
const layersOf = (packet) => packet._source.layers;
const chosen = priorityZero === 'yes' ? packets.find((p) => layersOf(p).vrrp?.['vrrp.prio'] === '0') : packets[0];
if (!chosen) throw new Error(`${name}: no suitable packet in ${pcap}`);
const layers = layersOf(chosen);
const vrrp = layers.vrrp;
const ipv4 = layers.ip;
const ipv6 = layers.ipv6;
const list = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const vector = {
  name,
  description,
  source: `captured from ${version} (Debian) in a namespace lab by test/vectors/capture-keepalived.sh on ${new Date().toISOString().slice(0, 10)}`,
  keepalivedConfig: readFileSync(conf, 'utf8'),
  family: ipv6 ? 'ipv6' : 'ipv4',
  ipSource: ipv6 ? ipv6['ipv6.src'] : ipv4['ip.src'],
  ipDestination: ipv6 ? ipv6['ipv6.dst'] : ipv4['ip.dst'],
  ttlOrHopLimit: Number(ipv6 ? ipv6['ipv6.hlim'] : ipv4['ip.ttl']),
  hex: layers.vrrp_raw[0],
  tshark: {
    version: Number(vrrp['vrrp.typever_tree']?.['vrrp.version'] ?? vrrp['vrrp.version']),
    type: Number(vrrp['vrrp.typever_tree']?.['vrrp.type'] ?? vrrp['vrrp.type']),
    vrid: Number(vrrp['vrrp.virt_rtr_id']),
    priority: Number(vrrp['vrrp.prio']),
    addressCount: Number(vrrp['vrrp.addr_count']),
    ...(vrrp['vrrp.auth_type'] !== undefined ? { authType: Number(vrrp['vrrp.auth_type']) } : {}),
    ...(vrrp['vrrp.adver_int'] !== undefined ? { advertIntervalSeconds: Number(vrrp['vrrp.adver_int']) } : {}),
    ...(vrrp['vrrp.short_adver_int'] !== undefined ? { maxAdvertIntervalCs: Number(vrrp['vrrp.short_adver_int']) } : {}),
    ...(vrrp['vrrp.auth_string'] !== undefined ? { authString: vrrp['vrrp.auth_string'] } : {}),
    checksum: vrrp['vrrp.checksum'],
    checksumStatus: Number(vrrp['vrrp.checksum.status']),
    addresses: [...list(vrrp['vrrp.ip_addr']), ...list(vrrp['vrrp.ipv6_addr'])],
  },
};
process.stdout.write(JSON.stringify(vector, null, 2) + '\n');
