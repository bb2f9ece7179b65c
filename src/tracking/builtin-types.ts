// keepalived's own kinds of tracked object (registry.ts): vrrp_script, track_file,
// vrrp_track_process and track_interface, built from one configuration.
import type { VrrpdConfig } from '../config/model.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { ScriptPolicy } from '../scripting/policy.js';
import type { ProcessRunner } from '../scripting/process-runner.js';
import { FileTracker, type FileWatchPort } from './file-tracker.js';
import { InterfaceTracker } from './interface-tracker.js';
import { ProcessTracker, type ProcessTablePort } from './process-tracker.js';
import type { TrackerType } from './registry.js';
import { ScriptTracker } from './script-tracker.js';

export interface TrackerServices {
  readonly clock: Clock;
  readonly log: Logger;
  readonly runner: ProcessRunner;
  readonly policy: ScriptPolicy;
  readonly files: FileWatchPort;
  readonly processes: ProcessTablePort;
}

export function builtinTrackerTypes(config: VrrpdConfig, services: TrackerServices): TrackerType[] {
  const { clock, log, runner, policy, files, processes } = services;
  return [
    {
      kind: 'interface',
      references: (source) => source.trackInterfaces,
      // An interface needs no definition: its name is all there is.
      lookup: (name) => ({
        identity: name,
        weight: 0,
        reverse: false,
        create: async (host) => new InterfaceTracker(name, await host.interfaceUp(name).catch(() => false), log),
      }),
    },
    {
      kind: 'script',
      references: (source) => source.trackScripts,
      lookup: (name) => {
        const script = config.scripts.find((candidate) => candidate.name === name);
        if (!script) return undefined;
        const { scriptUser, enableScriptSecurity } = config.global;
        return {
          // Who runs it and whether it may run are part of what it is.
          identity: { script, scriptUser, enableScriptSecurity },
          weight: script.weight,
          reverse: script.reverse,
          create: () => {
            const prepared = policy.prepare(script.script, script.user, `vrrp_script ${script.name}`);
            return new ScriptTracker(
              {
                name: script.name,
                argv: prepared.argv,
                intervalMs: script.intervalMs,
                timeoutMs: script.timeoutMs,
                rise: script.rise,
                fall: script.fall,
                initFail: script.initFail,
                identity: prepared.identity,
                ...(prepared.refused ? { refused: prepared.refused } : {}),
              },
              clock,
              runner,
              log,
            );
          },
        };
      },
    },
    {
      kind: 'file',
      references: (source) => source.trackFiles,
      lookup: (name) => {
        const file = config.trackFiles.find((candidate) => candidate.name === name);
        if (!file) return undefined;
        return {
          identity: file,
          weight: file.weight,
          reverse: file.reverse,
          create: () => new FileTracker({ name: file.name, path: file.path, ...(file.initFile ? { initFile: file.initFile } : {}) }, files, log),
        };
      },
    },
    {
      kind: 'process',
      references: (source) => source.trackProcesses,
      lookup: (name) => {
        const tracked = config.trackProcesses.find((candidate) => candidate.name === name);
        if (!tracked) return undefined;
        return { identity: tracked, weight: tracked.weight, reverse: tracked.reverse, create: () => new ProcessTracker(tracked, processes, clock, log) };
      },
    },
  ];
}
