// From the configuration's resolved virtual servers to the load balancer's model (src/lb), with
// what only this host can say: the interfaces a DR service's traffic arrives on and its real
// servers are reached through.
import type { VrrpdConfig } from '../../config/model.js';
import type { ResolvedVirtualServer } from '../../config/validate-virtual-servers.js';
import type { VirtualServerSpec } from '../../lb/model.js';
import { instanceInterface } from '../vrrp/binding.js';
import type { InterfacePort } from './ports.js';

/** A DR service whose interfaces cannot be found on this host. */
export class LbHostError extends Error {
  override readonly name = 'LbHostError';
}

/**
 * The interfaces a VIP arrives on: those of the vrrp_instances holding it (and their VMACs, which
 * receive it with use_vmac), else those holding it on the host now.
 */
async function inboundInterfaces(address: string, config: VrrpdConfig, interfaces: InterfacePort | undefined): Promise<string[]> {
  const found = new Set<string>();
  for (const instance of config.instances) {
    const holds = [...instance.virtualAddresses, ...instance.excludedAddresses].find((vip) => vip.address === address);
    if (!holds) continue;
    found.add(holds.device ?? instance.interface);
    if (instance.useVmac && !holds.device) found.add(instanceInterface(instance));
  }
  if (found.size === 0 && interfaces) for (const name of await interfaces.holding(address)) found.add(name);
  return [...found];
}

export async function virtualServerSpec(vs: ResolvedVirtualServer, config: VrrpdConfig, interfaces: InterfacePort | undefined): Promise<VirtualServerSpec> {
  let dr: VirtualServerSpec['dr'];
  if (vs.method === 'DR') {
    const vips = vs.match.kind === 'address' ? [vs.match.address] : vs.match.kind === 'group' ? vs.match.ranges.map((range) => range.first) : [];
    const inbound = new Set<string>();
    for (const vip of vips) for (const name of await inboundInterfaces(vip, config, interfaces)) inbound.add(name);
    if (inbound.size === 0) throw new LbHostError(`${vs.key}: lvs_method DR needs the interface its VIP arrives on: no vrrp_instance holds ${vips.join(', ')} and the host has it on no interface`);
    const outbound = new Set<string>();
    for (const rs of [...vs.realServers, ...(vs.sorryServer ? [vs.sorryServer] : [])]) {
      const name = await interfaces?.routeTo(rs.family, rs.address);
      if (name === undefined) throw new LbHostError(`${vs.key}: lvs_method DR needs real server ${rs.address} on a link of this host: no route to it`);
      outbound.add(name);
    }
    if (outbound.size > 1) throw new LbHostError(`${vs.key}: lvs_method DR reaches its real servers through ${[...outbound].join(' and ')}: vrrpd needs them on one link`);
    dr = { inbound: [...inbound].sort(), outbound: [...outbound][0]! };
  }
  return {
    key: vs.key,
    match: vs.match,
    scheduler: vs.scheduler,
    hashPort: vs.hashPort,
    hashFallback: vs.hashFallback,
    ...(vs.persistence ? { persistence: vs.persistence } : {}),
    quorum: vs.quorum,
    hysteresis: vs.hysteresis,
    realServers: vs.realServers.map((rs) => ({
      key: rs.key,
      family: rs.family,
      address: rs.address,
      port: rs.port,
      method: rs.method,
      weight: rs.weight,
      inhibitOnFailure: rs.inhibitOnFailure,
      checkers: rs.checkers.map((checker) => ({ id: checker.id, alpha: checker.alpha })),
    })),
    ...(vs.sorryServer ? { sorryServer: vs.sorryServer } : {}),
    ...(dr ? { dr } : {}),
  };
}
