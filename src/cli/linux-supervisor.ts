// The supervisor wired to the real host: child processes, the file system, /proc, the notify FIFO,
// where the built-in checkers run.
import type { CheckerHost } from '../checkers/checker.js';
import type { VrrpdConfig } from '../config/model.js';
import type { Logger } from '../core/log.js';
import { NotifyFifo } from '../notify/fifo.js';
import type { Clock } from '../core/clock.js';
import type { TrackerType } from '../tracking/registry.js';
import { LinuxFiles, linuxSecurityFs, ProcTable, systemUsers } from '../linux/tracking-ports.js';
import { hostProcessRunner } from '../linux/script-spawner.js';
import { Supervisor } from '../daemon/vrrp/supervisor.js';

/** `checkers`: where the built-in checkers run; `trackerTypes`: other subsystems' tracked objects (BFD sessions). */
export async function linuxSupervisor(
  config: VrrpdConfig,
  clock: Clock,
  log: Logger,
  extra: { readonly checkers?: CheckerHost; readonly trackerTypes?: (config: VrrpdConfig) => readonly TrackerType[] } = {},
): Promise<Supervisor> {
  const { checkers, trackerTypes } = extra;
  const fifo = config.global.notifyFifo ? await NotifyFifo.open(config.global.notifyFifo, log) : undefined;
  return new Supervisor(config, {
    clock,
    log,
    runner: hostProcessRunner(),
    files: new LinuxFiles(),
    processes: new ProcTable(),
    users: systemUsers(),
    security: linuxSecurityFs,
    ...(checkers ? { checkers } : {}),
    ...(fifo ? { fifo } : {}),
    ...(trackerTypes ? { trackerTypes } : {}),
  });
}
