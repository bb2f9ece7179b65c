// The daemon's subsystems on this Linux host, as `vrrpd run` composes them. Only VRRP's code is
// imported with the daemon: the load balancer's, BFD's and the built-in checkers' (node:tls among
// them) are imported when a configuration first asks for them, at start or at a reload, so a
// configuration of vrrp_instances alone does not load them before its first advertisement
// (issue 16: they were about a third of the modules loaded at start-up).
import type { VrrpdConfig } from '../config/model.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { BFD_KIND } from '../daemon/bfd/kind.js';
import { BfdSessionStates } from '../daemon/bfd/session-states.js';
import { bfdTrackerType } from '../daemon/bfd/track-bfd.js';
import { LB_KIND } from '../daemon/lb/kind.js';
import { loadedOnDemand, type SubsystemFactory } from '../daemon/subsystem.js';
import type { Platform } from '../daemon/vrrp/ports.js';
import { vrrpSubsystem } from '../daemon/vrrp/subsystem.js';
import { hostProcessRunner } from '../linux/script-spawner.js';
import { linuxSupervisor } from './linux-supervisor.js';

export interface HostSubsystems {
  /** BFD first: its sessions exist (Down) when VRRP's track_bfd trackers are built, as keepalived's do. */
  readonly factories: readonly SubsystemFactory[];
  /** Closes what the subsystems opened on the host (sockets, threads), once they have stopped. */
  close(): void;
}

/** `platform`: this host's (LinuxPlatform), or the daemon bundle's warm-up's in-memory one (warm-up-host.ts). */
export function hostSubsystems(platform: Platform & { close(): void }, clock: Clock, log: Logger): HostSubsystems {
  const checkers = new OnDemand(async () => (await import('./checker-host.js')).linuxCheckers(clock));
  const lbHost = new OnDemand(async () => new (await import('../linux/lb-host.js')).LinuxLbHost());
  // BFD sessions run in a worker thread; VRRPD_BFD_THREAD=main puts them on the main loop, for
  // the benchmark that compares the two (bench/bfd.ts).
  const bfdStates = new BfdSessionStates();
  const runner = hostProcessRunner();
  const bfd = loadedOnDemand(BFD_KIND, async () => {
    const [{ bfdSubsystem }, { InThreadBfdRuntime, WorkerBfdRuntime }] = await Promise.all([import('../daemon/bfd/subsystem.js'), import('../linux/bfd/runtime.js')]);
    const runtime = process.env['VRRPD_BFD_THREAD'] === 'main' ? () => new InThreadBfdRuntime(clock) : (options: { readonly rtPriority?: number }) => new WorkerBfdRuntime(options);
    return bfdSubsystem({ runtime, log, states: bfdStates });
  });
  const vrrp = vrrpSubsystem({
    platform,
    clock,
    log,
    supervisor: async (config) =>
      linuxSupervisor(config, clock, log, {
        // Loaded for a vrrp_script with a checker block; without one no tracker asks for a checker.
        ...(usesCheckers(config) ? { checkers: await checkers.get().then((loaded) => loaded.host) } : {}),
        trackerTypes: (c) => [bfdTrackerType(c, bfdStates, log)],
      }),
  });
  const lb = loadedOnDemand(LB_KIND, async () => {
    const [{ lbSubsystem }, { Conntrack }, { NftCli }, { ScriptPolicy }, { LinuxFiles, linuxSecurityFs, systemUsers }, addresses, loadedCheckers] = await Promise.all([
      import('../daemon/lb/subsystem.js'),
      import('../linux/conntrack.js'),
      import('../linux/nftables/nft.js'),
      import('../scripting/policy.js'),
      import('../linux/tracking-ports.js'),
      lbHost.get(),
      checkers.get(),
    ]);
    return lbSubsystem({
      clock,
      log,
      nft: new NftCli(),
      scripts: (config) => ({ policy: new ScriptPolicy(config.global, systemUsers(), linuxSecurityFs, log), runner, log }),
      checkers: loadedCheckers.host,
      conntrack: new Conntrack(),
      addresses,
      interfaces: addresses,
      // FILE_CHECK reads track_files as VRRP's track_file does; BFD_CHECK hears the sessions track_bfd hears.
      files: new LinuxFiles(),
      bfdStates,
    });
  });
  return {
    factories: [bfd, vrrp, lb],
    close: () => {
      platform.close();
      checkers.close((loaded) => loaded.close());
      lbHost.close((host) => host.close());
    },
  };
}

function usesCheckers(config: VrrpdConfig): boolean {
  return config.scripts.some((script) => script.checker !== undefined);
}

/** A host adapter made the first time it is asked for, and closed only if it was. */
class OnDemand<T> {
  private made: Promise<T> | undefined;

  constructor(private readonly make: () => Promise<T>) {}

  get(): Promise<T> {
    this.made ??= this.make().catch((error: unknown) => {
      this.made = undefined;
      throw error;
    });
    return this.made;
  }

  close(closeIt: (made: T) => void): void {
    void this.made?.then(closeIt, () => undefined);
    this.made = undefined;
  }
}
