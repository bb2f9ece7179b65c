// The built-in demonstration of the simulated LAN: what `vrrpd simulate` runs without a file.
import type { Scenario } from './scenario.js';

const vrrpInstance = (priority: number) => ({
  name: 'VI_1',
  priority,
  virtualAddresses: ['192.0.2.100'],
});

export const DEMO_SCENARIO: Scenario = {
  description:
    'Three routers (priorities 150, 100, 50; VRRPv3, 1 s adverts) elect a Master; the Master crashes at 10 s, ' +
    'comes back at 20 s and preempts; it is stopped gracefully at 30 s (priority 0: takeover after Skew_Time); ' +
    'it returns at 35 s; a partition at 45 s makes two Masters until it heals at 55 s.',
  hosts: [
    { name: 'r1', ipv4: '192.0.2.1', routers: [vrrpInstance(150)] },
    { name: 'r2', ipv4: '192.0.2.2', routers: [vrrpInstance(100)] },
    { name: 'r3', ipv4: '192.0.2.3', routers: [vrrpInstance(50)] },
  ],
  events: [
    { at: 0, do: 'boot', host: 'r1' },
    { at: 0, do: 'boot', host: 'r2' },
    { at: 0, do: 'boot', host: 'r3' },
    { at: 10_000, do: 'crash', host: 'r1' },
    { at: 20_000, do: 'boot', host: 'r1' },
    { at: 30_000, do: 'stop', host: 'r1' },
    { at: 35_000, do: 'boot', host: 'r1' },
    { at: 45_000, do: 'partition', groups: [['r1'], ['r2', 'r3']] },
    { at: 55_000, do: 'heal' },
  ],
  until: 60_000,
};
