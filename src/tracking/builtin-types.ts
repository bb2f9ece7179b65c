// keepalived's own kinds of tracked object (registry.ts): vrrp_script, track_file,
// vrrp_track_process and track_interface, built from one configuration.
import type { CheckerHost } from '../checkers/checker.js';
import type { TrackScriptConfig, VrrpdConfig } from '../config/model.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { ScriptPolicy } from '../scripting/policy.js';
import type { ProcessRunner } from '../scripting/process-runner.js';
import { FileTracker, type FileWatchPort } from './file-tracker.js';
import { InterfaceTracker } from './interface-tracker.js';
import { ProcessTracker, type ProcessTablePort } from './process-tracker.js';
import type { TrackerType } from './registry.js';
import { checkerCheck } from './checker-check.js';
import { checkSpecOf } from './checker-spec.js';
import { processCheck, ScriptTracker } from './script-tracker.js';

export interface TrackerServices {
  readonly clock: Clock;
  readonly log: Logger;
  readonly runner: ProcessRunner;
  readonly policy: ScriptPolicy;
  readonly files: FileWatchPort;
  readonly processes: ProcessTablePort;
  /** Where the built-in checkers run; without it a vrrp_script with a checker block counts as failed. */
  readonly checkers?: CheckerHost;
}

export function builtinTrackerTypes(config: VrrpdConfig, services: TrackerServices): TrackerType[] {
  const { clock, log, runner, policy, files, processes, checkers } = services;
  /** A vrrp_script with a checker block runs the checker in this process; no script policy applies. */
  const checkerTracker = (script: TrackScriptConfig & { checker: NonNullable<TrackScriptConfig['checker']> }): ScriptTracker => {
    const { checker } = script;
    const spec = {
      name: script.name,
      intervalMs: script.intervalMs,
      rise: script.rise,
      fall: script.fall,
      initFail: script.initFail || checker.alpha,
      warmupMs: checker.warmupMs,
      logAllFailures: checker.logAllFailures,
      ...(checkers ? {} : { refused: 'the built-in checkers are not available here' }),
    };
    const check = checkers ? checkerCheck(checkers.checker(checkSpecOf(checker)), script.timeoutMs, clock) : { run: () => Promise.reject(new Error('no checkers')) };
    return new ScriptTracker(spec, clock, check, log);
  };
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
        if (script.checker) {
          const withChecker = { ...script, checker: script.checker };
          return { identity: script, weight: script.weight, reverse: script.reverse, create: () => checkerTracker(withChecker) };
        }
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
                intervalMs: script.intervalMs,
                rise: script.rise,
                fall: script.fall,
                initFail: script.initFail,
                ...(prepared.refused ? { refused: prepared.refused } : {}),
              },
              clock,
              processCheck(runner, prepared.argv, prepared.identity, script.timeoutMs),
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
