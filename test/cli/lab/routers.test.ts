// The lab's plan and the keepalived.conf it writes for each router: pure, no root needed.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { planRouters, routerConfig } from '../../../src/cli/lab/routers.js';
import { scratchDir } from '../../helpers/scratch.js';

const dir = scratchDir('lab-plan');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('three routers: priorities 150, 100, 50 on documentation addresses', () => {
  expect(planRouters(3)).toEqual([
    { name: 'r1', address: '192.0.2.1', priority: 150 },
    { name: 'r2', address: '192.0.2.2', priority: 100 },
    { name: 'r3', address: '192.0.2.3', priority: 50 },
  ]);
  expect(planRouters(2).map((plan) => plan.priority)).toEqual([150, 50]);
  const nine = planRouters(9).map((plan) => plan.priority);
  expect(new Set(nine).size).toBe(9);
  expect(nine).toEqual([...nine].sort((a, b) => b - a));
});

test("each router's configuration loads without issues: v3, advert_int 1 s, VIP 192.0.2.100/24 on eth0", () => {
  for (const plan of planRouters(3)) {
    const file = join(dir, `${plan.name}.conf`);
    writeFileSync(file, routerConfig(plan));
    const loaded = loadConfigFile(file);
    expect(loaded.issues).toEqual([]);
    expect(loaded.config.instances).toEqual([
      expect.objectContaining({ name: 'VI_1', interface: 'eth0', virtualRouterId: 51, priority: plan.priority, version: 3, advertIntervalMs: 1000 }),
    ]);
    expect(JSON.stringify(loaded.config.instances[0])).toContain('192.0.2.100');
  }
});
