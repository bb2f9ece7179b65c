// The operator's side of `vrrpd run` on a fake host: reload from the file (accepted, rejected with
// file:line, no instances, an interface that does not exist), one reload at a time, and the dump
// command.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ReloadRejectedError, Operations } from '../../src/daemon/operations/operations.js';
import { Daemon } from '../../src/daemon/daemon.js';
import type { VmacPort } from '../../src/daemon/vrrp/ports.js';
import type { InstanceStatus } from '../../src/daemon/vrrp/routers.js';
import { vrrpSubsystem } from '../../src/daemon/vrrp/subsystem.js';
import { loadConfigFile } from '../../src/config/load.js';
import { CommandError } from '../../src/control/server.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { capturingLogger } from './fakes.js';
import { FakePlatform, FakeSegment } from './fake-platform.js';
import { scratchDir } from '../helpers/scratch.js';

const conf = (priority: string, iface = 'eth0') =>
  `vrrp_instance VI_1 {\n  interface ${iface}\n  virtual_router_id 51\n  priority ${priority}\n  version 3\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n`;

/** Records what a reload asks of the VMACs; `refuse` makes create fail. */
class FakeVmacs implements VmacPort {
  readonly calls: string[] = [];
  refuse = false;
  async create(specs: Parameters<VmacPort['create']>[0]): Promise<string[]> {
    this.calls.push(`create ${specs.map((spec) => spec.name).join(' ')}`);
    if (this.refuse) throw new Error('use_vmac: cannot create vrrp.52 on eth0: Operation not permitted');
    return specs.map((spec) => spec.name);
  }
  async remove(names: readonly string[]): Promise<void> {
    this.calls.push(`remove ${names.join(' ')}`);
  }
  async keepOnly(specs: Parameters<VmacPort['keepOnly']>[0]): Promise<void> {
    this.calls.push(`keep only ${specs.map((spec) => spec.name).join(' ')}`);
  }
  async removeAll(): Promise<void> {
    this.calls.push('remove all');
  }
}

async function setup(vmacs?: FakeVmacs) {
  const dir = scratchDir('operate');
  const file = join(dir, 'keepalived.conf');
  writeFileSync(file, conf('150'));
  const clock = new VirtualClock();
  const platform = new FakePlatform(new FakeSegment(clock), { name: 'eth0', index: 2, up: true, mac: '02:00:00:00:00:01', ipv4: '192.0.2.1' });
  const { log, records } = capturingLogger();
  const daemon = new Daemon([vrrpSubsystem({ platform: Object.assign(platform, vmacs ? { vmacs } : {}), clock, log })], log);
  await daemon.start(loadConfigFile(file).config);
  vmacs?.calls.splice(0);
  const instances = (): InstanceStatus[] => (daemon.status() as { instances: InstanceStatus[] }).instances;
  const dumpPaths = { data: join(dir, 'k.data'), stats: join(dir, 'k.stats'), json: join(dir, 'k.json') };
  const operations = new Operations({ daemon, log, file, load: async () => loadConfigFile(file), dumpPaths });
  const handler = (name: string) => new Map(operations.handlers()).get(name)!;
  return { dir, file, instances, operations, records, handler, dumpPaths };
}

describe('reload from the file', () => {
  test('an accepted file is applied and summarised; warnings are returned and logged (a SIGHUP has no one else to tell)', async () => {
    const { file, instances, operations, records } = await setup();
    writeFileSync(file, conf('120').replace('  version 3\n', '  version 3\n  nopreemt\n'));
    const result = await operations.reload('SIGHUP');
    expect(result).toMatchObject({ updated: [{ instance: 'VI_1', changes: ['priority'] }] });
    const warning = expect.stringMatching(new RegExp(`^${file}:6:3: warning: unknown keyword "nopreemt"`));
    expect(result.warnings).toEqual([warning]);
    expect(records().find((r) => r['event'] === 'reload-warnings')).toMatchObject({ trigger: 'SIGHUP', warnings: [warning] });
    expect(instances()[0]).toMatchObject({ basePriority: 120 });
  });

  test('errors reject it with file:line:column; nothing changes; the log says so', async () => {
    const { file, instances, operations, records } = await setup();
    writeFileSync(file, conf('300'));
    const rejection = await operations.reload('SIGHUP').catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(ReloadRejectedError);
    expect((rejection as ReloadRejectedError).issues).toEqual([`${file}:4:12: error: priority "300" is not valid: expected a whole number 1..255`]);
    expect(instances()[0]).toMatchObject({ basePriority: 150 });
    expect(records().find((r) => r['event'] === 'reload-rejected')).toMatchObject({ trigger: 'SIGHUP', errors: (rejection as ReloadRejectedError).issues });
  });

  test('no instances, or an interface that does not exist, reject it too', async () => {
    const { file, instances, operations } = await setup();
    writeFileSync(file, '# emptied by mistake\n');
    await expect(operations.reload('control')).rejects.toThrow(`${file} defines no vrrp_instance; the running configuration stays`);
    writeFileSync(file, conf('150', 'eth9'));
    await expect(operations.reload('control')).rejects.toThrow('the new configuration cannot be applied; the running configuration stays\ninterface eth9 does not exist');
    expect(instances()[0]).toMatchObject({ interface: 'eth0', basePriority: 150 });
  });

  test('use_vmac: VMACs are created before the instances start and kept to what the file names; a rejected reload removes those it created', async () => {
    const vmacs = new FakeVmacs();
    const { file, instances, operations } = await setup(vmacs);
    const vmacInstance = conf('150').replace('VI_1', 'VI_2').replace('51', '52').replace('192.0.2.100', '192.0.2.101').replace('  version 3\n', '  version 3\n  use_vmac\n');
    // The fake host has no vrrp.52, so VI_2 cannot start: the reload is rejected and undone.
    writeFileSync(file, conf('150') + vmacInstance);
    await expect(operations.reload('control')).rejects.toThrow('interface vrrp.52 does not exist');
    expect(vmacs.calls).toEqual(['create vrrp.52', 'remove vrrp.52']);
    expect(instances().map((s) => s.name)).toEqual(['VI_1']);
    // A VMAC that cannot be created rejects the reload before any instance changes.
    vmacs.refuse = true;
    writeFileSync(file, conf('120') + vmacInstance);
    await expect(operations.reload('control')).rejects.toThrow('use_vmac: cannot create vrrp.52 on eth0: Operation not permitted');
    expect(instances()[0]).toMatchObject({ basePriority: 150 });
    // Accepted without use_vmac: the VMACs left are those the file names (none).
    vmacs.calls.length = 0;
    vmacs.refuse = false;
    writeFileSync(file, conf('120'));
    await operations.reload('control');
    expect(vmacs.calls).toEqual(['create ', 'keep only ']);
  });

  test('through the control handler a rejection is a "failed" CommandError carrying the errors', async () => {
    const { file, handler } = await setup();
    writeFileSync(file, conf('x'));
    const error = await Promise.resolve(handler('reload')({ command: 'reload' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ code: 'failed', message: expect.stringContaining(`${file}:4:12: error: priority "x"`) });
  });

  test('reloads run one at a time, in order', async () => {
    const { file, operations, instances } = await setup();
    writeFileSync(file, conf('140'));
    const first = operations.reload('SIGHUP');
    const second = operations.reload('control');
    const results = await Promise.all([first, second]);
    expect(results.map((r) => r.updated.length + r.unchanged.length)).toEqual([1, 1]);
    expect(results[1]).toMatchObject({ unchanged: ['VI_1'] });
    expect(instances()[0]).toMatchObject({ basePriority: 140 });
  });
});

describe('dump command', () => {
  test('returns the text, or writes the file and returns its path; a bad format is refused', async () => {
    const { handler, dumpPaths } = await setup();
    const dump = handler('dump');
    expect(await dump({ command: 'dump', args: { format: 'stats' } })).toMatchObject({ format: 'stats', text: expect.stringMatching(/^VRRP Instance: VI_1\n/) });
    expect(await dump({ command: 'dump', args: { format: 'json', write: true } })).toEqual({ format: 'json', path: dumpPaths.json });
    expect(JSON.parse(readFileSync(dumpPaths.json, 'utf8'))).toMatchObject([{ data: { iname: 'VI_1', vrid: 51 } }]);
    expect(() => dump({ command: 'dump', args: { format: 'xml' } })).toThrow('"format" must be one of data, stats, json');
  });
});
