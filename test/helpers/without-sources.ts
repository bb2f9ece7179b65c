// A loaded configuration without the `file:line` each virtual server and real server keeps for
// messages (virtual-server.ts): two files saying the same thing differ there and nowhere else, so
// round trips (keepalived.conf -> YAML -> model) compare what is left.
import type { VrrpdConfig } from '../../src/config/model.js';

export function withoutSources(config: VrrpdConfig): VrrpdConfig {
  if (!config.virtualServers) return config;
  const virtualServers = config.virtualServers.map(({ source: _vs, realServers, ...vs }) => ({ ...vs, realServers: realServers.map(({ source: _rs, ...rs }) => rs) }));
  return { ...config, virtualServers };
}
