// conntrack's connections through ctnetlink (NETLINK_NETFILTER, the interface the `conntrack` tool
// uses): a dump of the table, counted per (protocol, original destination, reply source) for the
// connections vrrpd's NAT rules made (status DNAT). lc, wlc, sed, nq and ovf read these counts as
// IPVS reads its per-destination active and inactive connections.
import { createRequire } from 'node:module';
import type { AddressFamily } from '../core/address.js';
import type { ConnectionEntry, ConnectionTrackingPort } from '../daemon/lb/ports.js';
import { addressValue, readAttributes } from './netlink/attributes.js';

// Only the package's generic socket module: its index also loads the generated route, nl80211,
// genl and WireGuard families (~15 files, ~50 ms of CPU), as in netlink/rtnetlink.ts.
const { createNetlink } = createRequire(import.meta.url)('netlink/dist/netlink.js') as Pick<typeof import('netlink'), 'createNetlink'>;

const NETLINK_NETFILTER = 12;
/** NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET. */
const CT_GET = (1 << 8) | 1;
const NLM_F_REQUEST = 0x01;
const NLM_F_DUMP = 0x300;
const AF_INET = 2;
const AF_INET6 = 10;

// Attributes (linux/netfilter/nfnetlink_conntrack.h).
const CTA_TUPLE_ORIG = 1;
const CTA_TUPLE_REPLY = 2;
const CTA_STATUS = 3;
const CTA_PROTOINFO = 4;
const CTA_TUPLE_IP = 1;
const CTA_TUPLE_PROTO = 2;
const CTA_IP_V4_SRC = 1;
const CTA_IP_V4_DST = 2;
const CTA_IP_V6_SRC = 3;
const CTA_IP_V6_DST = 4;
const CTA_PROTO_NUM = 1;
const CTA_PROTO_SRC_PORT = 2;
const CTA_PROTO_DST_PORT = 3;
const CTA_PROTOINFO_TCP = 1;
const CTA_PROTOINFO_TCP_STATE = 1;
const IPS_DST_NAT = 1 << 5;
const TCP_CONNTRACK_ESTABLISHED = 3;
/** nfgenmsg's length before the attributes. */
const NFGENMSG_LENGTH = 4;

const PROTOCOLS: Record<number, ConnectionEntry['protocol']> = { 6: 'tcp', 17: 'udp', 132: 'sctp' };

interface Tuple {
  readonly source?: string;
  readonly destination?: string;
  readonly protocol?: number;
  readonly sourcePort?: number;
  readonly destinationPort?: number;
}

function tuple(family: AddressFamily, value: Buffer | undefined): Tuple {
  if (!value) return {};
  const attributes = readAttributes(value, 0);
  const ip = readAttributes(attributes.get(CTA_TUPLE_IP) ?? Buffer.alloc(0), 0);
  const proto = readAttributes(attributes.get(CTA_TUPLE_PROTO) ?? Buffer.alloc(0), 0);
  const source = addressValue(family, ip.get(family === 'ipv4' ? CTA_IP_V4_SRC : CTA_IP_V6_SRC));
  const destination = addressValue(family, ip.get(family === 'ipv4' ? CTA_IP_V4_DST : CTA_IP_V6_DST));
  return {
    ...(source ? { source } : {}),
    ...(destination ? { destination } : {}),
    ...(proto.get(CTA_PROTO_NUM) ? { protocol: proto.get(CTA_PROTO_NUM)![0] } : {}),
    ...(proto.get(CTA_PROTO_SRC_PORT)?.length === 2 ? { sourcePort: proto.get(CTA_PROTO_SRC_PORT)!.readUInt16BE(0) } : {}),
    ...(proto.get(CTA_PROTO_DST_PORT)?.length === 2 ? { destinationPort: proto.get(CTA_PROTO_DST_PORT)!.readUInt16BE(0) } : {}),
  };
}

/** IPVS counts an established TCP connection active, every other one inactive. */
function established(value: Buffer | undefined): boolean {
  if (!value) return false;
  const tcp = readAttributes(value, 0).get(CTA_PROTOINFO_TCP);
  const state = tcp ? readAttributes(tcp, 0).get(CTA_PROTOINFO_TCP_STATE) : undefined;
  return state?.[0] === TCP_CONNTRACK_ESTABLISHED;
}

export class Conntrack implements ConnectionTrackingPort {
  async destinationCounts(): Promise<ConnectionEntry[]> {
    const counts = new Map<string, { entry: Omit<ConnectionEntry, 'active' | 'inactive'>; active: number; inactive: number }>();
    for (const family of ['ipv4', 'ipv6'] as const) {
      for (const data of await dump(family)) {
        const attributes = readAttributes(data, NFGENMSG_LENGTH);
        const status = attributes.get(CTA_STATUS);
        if (!status || status.length < 4 || (status.readUInt32BE(0) & IPS_DST_NAT) === 0) continue;
        const original = tuple(family, attributes.get(CTA_TUPLE_ORIG));
        const reply = tuple(family, attributes.get(CTA_TUPLE_REPLY));
        const protocol = original.protocol !== undefined ? PROTOCOLS[original.protocol] : undefined;
        if (!protocol || !original.destination || !reply.source) continue;
        const entry = {
          protocol,
          family,
          service: { address: original.destination, port: original.destinationPort ?? 0 },
          destination: { address: reply.source, port: reply.sourcePort ?? 0 },
        };
        const key = `${protocol} ${entry.service.address} ${entry.service.port} ${entry.destination.address} ${entry.destination.port}`;
        const count = counts.get(key) ?? { entry, active: 0, inactive: 0 };
        if (protocol === 'tcp' && established(attributes.get(CTA_PROTOINFO))) count.active++;
        else if (protocol === 'tcp') count.inactive++;
        // IPVS counts UDP and SCTP connections active while they exist.
        else count.active++;
        counts.set(key, count);
      }
    }
    return [...counts.values()].map(({ entry, active, inactive }) => ({ ...entry, active, inactive }));
  }
}

/** One dump of the family's conntrack table, one message per connection. */
async function dump(family: AddressFamily): Promise<Buffer[]> {
  const socket = createNetlink(NETLINK_NETFILTER);
  try {
    const header = Buffer.alloc(NFGENMSG_LENGTH);
    header.writeUInt8(family === 'ipv4' ? AF_INET : AF_INET6, 0);
    const [messages] = await socket.request(CT_GET, [header], { flags: NLM_F_REQUEST | NLM_F_DUMP });
    return messages.map((message) => Buffer.from(message.data));
  } finally {
    socket.close();
  }
}
