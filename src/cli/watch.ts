// `vrrpd watch -i IFACE`: who else speaks VRRP on this link? Listens (IPv4 multicast, and unicast
// to this host), prints each router heard; changes nothing on the host and needs no config.
import { decodeAdvertisement } from '../packet/advertisement.js';
import { createLogger } from '../daemon/log.js';
import { LinuxPlatform } from '../linux/platform.js';
import { formatTable, NeighbourTable, toRecord } from '../watch/neighbours.js';

export interface WatchOptions {
  readonly interfaceName: string;
  readonly json: boolean;
  /** Seconds to listen; until Ctrl-C when absent. */
  readonly durationSeconds?: number;
  /** Multicast group to listen on (default 224.0.0.18). */
  readonly group?: string;
}

export async function watch(options: WatchOptions, write: (text: string) => void): Promise<number> {
  const platform = new LinuxPlatform(createLogger({ level: 'warn', destination: process.stderr }));
  const table = new NeighbourTable();
  const started = performance.now();
  let channel;
  try {
    const state = await platform.interfaceState(options.interfaceName);
    channel = await platform.openChannel(
      { interfaceName: options.interfaceName, family: 'ipv4', groups: [options.group ?? '224.0.0.18'], sourceAddress: state.ipv4 ?? '0.0.0.0' },
      (packet) => {
        const ip = { family: 'ipv4' as const, source: packet.source, destination: packet.destination };
        const decoded = decodeAdvertisement(packet.bytes, ip);
        if (!decoded.ok) {
          table.recordMalformed(decoded.rejection);
          if (options.json) write(JSON.stringify({ time: new Date().toISOString(), source: packet.source, rejected: decoded.rejection.reason, detail: decoded.rejection.detail }) + '\n');
          return;
        }
        const heard = { timeMs: performance.now(), family: 'ipv4' as const, source: packet.source, destination: packet.destination, ttl: packet.ttl, advertisement: decoded.advertisement, checksum: decoded.checksum };
        table.record(heard);
        if (options.json) write(JSON.stringify(toRecord(heard, new Date())) + '\n');
      },
    );
  } catch (error) {
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
  channel.close();
  platform.close();
  return 0;
}
