// `vrrpd watch -i IFACE`: who else speaks VRRP on this link? Listens over IPv4 (224.0.0.18) and
// IPv6 (ff02::12), multicast and unicast to this host, and prints each router heard; changes
// nothing on the host and needs no config.
import type { AddressFamily } from '../core/address.js';
import { decodeAdvertisement, VRRP_MULTICAST_GROUP } from '../vrrp/packet/advertisement.js';
import type { OpenChannel, ReceivedPacket } from '../daemon/vrrp/ports.js';
import { createLogger } from '../core/log.js';
import { LinuxPlatform } from '../linux/platform.js';
import { Ipv6VrrpSocket } from '../linux/sockets/ipv6-vrrp-socket.js';
import { formatTable, NeighbourTable, toRecord } from '../watch/neighbours.js';

export interface WatchOptions {
  readonly interfaceName: string;
  readonly json: boolean;
  /** Seconds to listen; until Ctrl-C when absent. */
  readonly durationSeconds?: number;
  /** Multicast group to listen on (default 224.0.0.18). */
  readonly group?: string;
  /** IPv6 multicast group to listen on (default ff02::12). */
  readonly group6?: string;
}

export async function watch(options: WatchOptions, write: (text: string) => void): Promise<number> {
  const platform = new LinuxPlatform(createLogger({ level: 'warn', destination: process.stderr }));
  const table = new NeighbourTable();
  const started = performance.now();
  const onPacket = (family: AddressFamily) => (packet: ReceivedPacket): void => {
    const ip = { family, source: packet.source, destination: packet.destination };
    const decoded = decodeAdvertisement(packet.bytes, ip);
    if (!decoded.ok) {
      table.recordMalformed(decoded.rejection);
      if (options.json) write(JSON.stringify({ time: new Date().toISOString(), family, source: packet.source, rejected: decoded.rejection.reason, detail: decoded.rejection.detail }) + '\n');
      return;
    }
    const heard = { timeMs: performance.now(), family, source: packet.source, destination: packet.destination, ttl: packet.ttl, advertisement: decoded.advertisement, checksum: decoded.checksum };
    table.record(heard);
    if (options.json) write(JSON.stringify(toRecord(heard, new Date())) + '\n');
  };
  const onError = (error: Error): void => void process.stderr.write(`vrrpd watch: ${error.message}\n`);
  const channels: OpenChannel[] = [];
  try {
    const state = await platform.interfaceState(options.interfaceName);
    channels.push(
      await platform.openChannel(
        { interfaceName: options.interfaceName, family: 'ipv4', groups: [options.group ?? VRRP_MULTICAST_GROUP.ipv4], sourceAddress: state.ipv4 ?? '0.0.0.0' },
        onPacket('ipv4'),
      ),
    );
    // Not bound to an address: hears the group and unicast to any of this host's addresses.
    try {
      // Checksums verified here, not by the kernel, so bad ones are reported instead of vanishing.
      channels.push(
        Ipv6VrrpSocket.open(
          { interfaceName: options.interfaceName, interfaceIndex: state.index, groups: [options.group6 ?? VRRP_MULTICAST_GROUP.ipv6], kernelChecksum: false },
          onPacket('ipv6'),
          onError,
        ),
      );
    } catch (error) {
      process.stderr.write(`vrrpd watch: not listening over IPv6: ${(error as Error).message}\n`);
    }
  } catch (error) {
    for (const channel of channels) channel.close();
    platform.close();
    process.stderr.write(`vrrpd watch: ${(error as Error).message}\n`);
    return 1;
  }

  const render = (): void => {
    if (!options.json) write(`\n${options.interfaceName}: ${((performance.now() - started) / 1000).toFixed(0)} s\n${formatTable(table.list(), performance.now())}`);
  };
  const ticker = options.json ? undefined : setInterval(render, 2000);
  await new Promise<void>((resolve) => {
    const done = (): void => resolve();
    if (options.durationSeconds !== undefined) setTimeout(done, options.durationSeconds * 1000);
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  if (ticker) clearInterval(ticker);
  render();
  for (const channel of channels) channel.close();
  platform.close();
  return 0;
}
