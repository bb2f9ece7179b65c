// The supervisor wired to the real host: child processes, the file system, /proc, the notify FIFO.
import type { VrrpdConfig } from '../config/model.js';
import type { Logger } from '../core/log.js';
import { NotifyFifo } from '../notify/fifo.js';
import type { Clock } from '../core/clock.js';
import type { TrackerType } from '../tracking/registry.js';
import { LinuxFiles, linuxSecurityFs, ProcTable, systemUsers } from '../linux/tracking-ports.js';
import { ChildProcessRunner } from '../scripting/process-runner.js';
import { Supervisor } from '../daemon/vrrp/supervisor.js';

export async function linuxSupervisor(
  config: VrrpdConfig,
  clock: Clock,
  log: Logger,
  trackerTypes?: (config: VrrpdConfig) => readonly TrackerType[],
): Promise<Supervisor> {
  const fifo = config.global.notifyFifo ? await NotifyFifo.open(config.global.notifyFifo, log) : undefined;
  return new Supervisor(config, {
    clock,
    log,
    runner: new ChildProcessRunner(),
    files: new LinuxFiles(),
    processes: new ProcTable(),
    users: systemUsers(),
    security: linuxSecurityFs,
    ...(fifo ? { fifo } : {}),
    ...(trackerTypes ? { trackerTypes } : {}),
  });
}
