// The BFD sessions a configuration asks for: each bfd_instance as the session table takes it.
import type { BfdInstanceConfig, VrrpdConfig } from '../../config/model.js';
import type { SessionSpec } from '../../bfd/session-table.js';

/** keepalived's `max_hops 255` turns the TTL check off. */
const NO_TTL_CHECK = 255;

const microseconds = (ms: number): number => Math.round(ms * 1000);

export function sessionSpec(instance: BfdInstanceConfig): SessionSpec {
  return {
    name: instance.name,
    family: instance.family,
    peer: instance.neighborIp,
    ...(instance.sourceIp !== undefined ? { local: instance.sourceIp } : {}),
    multihop: instance.multihop,
    ttl: instance.ttl,
    // keepalived: a packet is kept when its TTL + max_hops reaches the TTL we send (RFC 5881 §5
    // with the defaults: exactly 255).
    minimumTtl: instance.maxHops >= NO_TTL_CHECK ? 0 : Math.max(0, instance.ttl - instance.maxHops),
    parameters: {
      desiredMinTxInterval: microseconds(instance.minTxMs),
      requiredMinRxInterval: microseconds(instance.minRxMs),
      idleTxInterval: microseconds(instance.idleTxMs),
      detectMult: instance.multiplier,
      passive: instance.passive,
    },
  };
}

export function sessionSpecs(config: VrrpdConfig): SessionSpec[] {
  return (config.bfdInstances ?? []).map(sessionSpec);
}
