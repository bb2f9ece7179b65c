// The one executable, `vrrpd`, and its subcommands. Each subcommand's code is imported when it
// runs, not before: `vrrpd status` (what probes and operators run all day) loads the control
// client and nothing of the daemon, its native modules or the configuration loaders.
import { Command, CommanderError } from 'commander';
import type { LevelWithSilent } from 'pino';
import { ControlClientError } from '../control/client.js';
import { LOG_LEVELS } from '../core/log-levels.js';
import { parseListenAddress, type ListenAddress } from '../daemon/operations/listen-address.js';
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';
import { MAX_ROUTERS, MIN_ROUTERS } from './lab/limits.js';

/** The subcommands, in the order `vrrpd --help` lists them. */
export const COMMAND_NAMES = ['simulate', 'convert', 'ipfailover', 'check', 'genhash', 'run', 'watch', 'status', 'priority', 'reload', 'dump', 'lab'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

/** `--control-socket`, the same for the daemon and every command that talks to it. */
const CONTROL_SOCKET_OPTION = ['--control-socket <path>', 'the control socket', '/run/vrrpd/vrrpd.sock'] as const;
const LOG_LEVEL_OPTION = ['--log-level <level>', `one of ${LOG_LEVELS.join(', ')}`, 'info'] as const;

/**
 * The command line's program. `only`: that subcommand alone, for a command line that names it
 * (main below): a daemon's start built all twelve before its first advertisement (~1.6 ms of CPU,
 * 174 KB allocated; issue 16), and a subcommand's parsing, help and errors never look at the others.
 */
export function buildProgram(
  write: (text: string) => void = (text) => process.stdout.write(text),
  setExitCode: (code: number) => void = (code) => (process.exitCode = code),
  only?: CommandName,
): Command {
  const wanted = (name: CommandName): boolean => only === undefined || only === name;
  const program = new Command('vrrpd')
    .description('A VRRP daemon (VRRPv2 RFC 3768, VRRPv3 RFC 9568) that reads keepalived.conf')
    .version(VERSION)
    .showHelpAfterError()
    .exitOverride();

  if (wanted('simulate')) {
    program
      .command('simulate')
      .description('run a scenario on a simulated LAN (the real protocol core, virtual time, no network) and print its trace')
      .option('-f, --scenario <file>', 'scenario JSON file (default: the built-in three-router demo)')
      .option('--show <kinds>', 'comma-separated trace kinds: transition, add-addresses, remove-addresses, announce-addresses, send-advertisement')
      .action(async (options: { scenario?: string; show?: string }) => {
        const { simulate } = await import('./simulate.js');
        await simulate(options, write);
      });
  }

  if (wanted('convert')) {
    program
      .command('convert')
      .description('keepalived.conf to the equivalent YAML, or YAML to keepalived.conf (printed on stdout)')
      .requiredOption('-f, --config <file>', 'the configuration file (.yaml/.yml is YAML, anything else keepalived.conf)')
      .option('--to <format>', 'yaml or keepalived (default: the other format)')
      .option('-i, --config-id <id>', "keepalived's config id, for @id conditional lines")
      .option('--host', 'resolve YAML interface detection on this host (needed to write keepalived.conf from it)')
      .action(async (options: { config: string; to?: string; configId?: string; host?: boolean }) => {
        const base = { file: options.config, ...(options.to ? { to: options.to } : {}), ...(options.configId ? { configId: options.configId } : {}) };
        const writeError = (text: string): void => void process.stderr.write(text);
        const { convert } = await import('./convert.js');
        if (!options.host) return setExitCode(await convert(base, write, writeError));
        const { RtnetlinkInterfaceResolver } = await import('../linux/interface-resolver.js');
        setExitCode(await RtnetlinkInterfaceResolver.withSocket((resolver) => convert({ ...base, resolver }, write, writeError)));
      });
  }

  if (wanted('ipfailover')) {
    program
      .command('ipfailover')
      .description("OpenShift ipfailover mode: the configuration the ipfailover image builds from OPENSHIFT_HA_* variables, run (or printed)")
      .option('--print', 'print the configuration as keepalived.conf instead of running it')
      .option(...CONTROL_SOCKET_OPTION)
      .option(...LOG_LEVEL_OPTION)
      .action(async (options: { print?: boolean; controlSocket: string; logLevel: string }) => {
        const level = logLevelOption(options.logLevel);
        const { ipfailover } = await import('./ipfailover.js');
        setExitCode(
          await ipfailover({ print: options.print === true, controlSocket: options.controlSocket, logLevel: level }, process.env, write, (text) => void process.stderr.write(text)),
        );
      });
  }

  if (wanted('check')) {
    program
      .command('check')
      .description('parse and validate a configuration (keepalived.conf, or YAML for .yaml/.yml) without touching the host')
      .requiredOption('-f, --config <file>', 'the configuration file')
      .option('--json', 'machine-readable result')
      .option('-i, --config-id <id>', "keepalived's config id, for @id conditional lines")
      .option('--host', 'check against this host as run does: interfaces it lacks are errors, YAML interface detection is done')
      .option('--offline', "the file alone, for a configuration meant for another host: do not look at this host's interfaces")
      .action(async (options: { config: string; json?: boolean; configId?: string; host?: boolean; offline?: boolean }) => {
        if (options.host && options.offline) throw new UsageError('--host and --offline contradict each other: give one');
        const base = {
          file: options.config,
          ...(options.json ? { json: true } : {}),
          ...(options.configId ? { configId: options.configId } : {}),
          ...(options.offline ? { offline: true } : {}),
        };
        const { check } = await import('./check.js');
        if (options.offline) return setExitCode(await check(base, write));
        // Which interfaces exist is asked of the kernel, in vrrpd's own network namespace: --host
        // asks rtnetlink (as run does); the file alone needs only the names.
        if (!options.host) {
          const { interfaceNamesOfThisNamespace } = await import('../linux/interface-names.js');
          return setExitCode(await check({ ...base, interfaceNames: interfaceNamesOfThisNamespace }, write));
        }
        const { RtnetlinkInterfaceResolver } = await import('../linux/interface-resolver.js');
        setExitCode(await RtnetlinkInterfaceResolver.withSocket((resolver) => check({ ...base, resolver, interfaceNames: () => resolver.interfaceNames() }, write)));
      });
  }

  if (wanted('genhash')) {
    program
      .command('genhash')
      .description("keepalived's genhash: the MD5 digest of a url's body, the value HTTP_GET / SSL_GET want as digest (genhash's options and output)")
      .usage('-s ADDRESS -p PORT -u PATH [-S] [-I] [-V VIRTUALHOST] [-P 1.0|1.0c|1.1] [-t SECONDS] [-v]')
      .helpOption(false)
      .allowUnknownOption()
      .allowExcessArguments()
      .argument('[options...]')
      .action(async (args: string[]) => {
        const { runGenhash } = await import('./genhash.js');
        setExitCode(await runGenhash(args));
      });
  }

  if (wanted('run')) {
    program
      .command('run')
      .description('run the daemon in the foreground')
      .requiredOption('-f, --config <file>', 'the configuration file (keepalived.conf, or YAML for .yaml/.yml)')
      .option(...CONTROL_SOCKET_OPTION)
      .option(...LOG_LEVEL_OPTION)
      .option('-i, --config-id <id>', "keepalived's config id, for @id conditional lines")
      .option('--metrics <address:port>', 'serve Prometheus metrics on http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9650, [::1]:9650, :9650), and the health probes beside them')
      .option('--health <address:port>', 'serve the health probes on http://ADDRESS:PORT: /livez (and /healthz) liveness, /readyz readiness (e.g. 127.0.0.1:9651)')
      .option('--data-file <path>', 'where SIGUSR1 writes the data dump', '/tmp/keepalived.data')
      .option('--stats-file <path>', 'where SIGUSR2 writes the statistics', '/tmp/keepalived.stats')
      .option('--pid-file <path>', 'write the PID there (e.g. /run/keepalived.pid, where keepalived exporters look)')
      .option('--json-file <path>', 'where SIGRTMIN+2 and `vrrpd dump --json --write` write the JSON dump', '/tmp/keepalived.json')
      .action(async (options: { config: string; controlSocket: string; logLevel: string; configId?: string; metrics?: string; health?: string; pidFile?: string; dataFile: string; statsFile: string; jsonFile: string }) => {
        const level = logLevelOption(options.logLevel);
        const metrics = listenOption('--metrics', options.metrics);
        const health = listenOption('--health', options.health);
        const { run } = await import('./run.js');
        setExitCode(
          await run({
            file: options.config,
            controlSocket: options.controlSocket,
            logLevel: level,
            ...(options.configId ? { configId: options.configId } : {}),
            ...(metrics ? { metrics } : {}),
            ...(health ? { health } : {}),
            ...(options.pidFile ? { pidFile: options.pidFile } : {}),
            dumpPaths: { data: options.dataFile, stats: options.statsFile, json: options.jsonFile },
          }),
        );
      });
  }

  if (wanted('watch')) {
    program
      .command('watch')
      .description('show every VRRP router heard on an interface (IPv4 and IPv6), changing nothing on the host')
      .requiredOption('-i, --interface <name>', 'the interface to listen on')
      .option('--json', 'one JSON object per advertisement heard')
      .option('--duration <seconds>', 'stop after this many seconds')
      .action(async (options: { interface: string; json?: boolean; duration?: string }) => {
        const duration = options.duration === undefined ? undefined : Number(options.duration);
        if (duration !== undefined && !(duration > 0)) throw new UsageError(`--duration: "${options.duration}" is not a positive number of seconds`);
        const { watch } = await import('./watch.js');
        setExitCode(
          await watch({ interfaceName: options.interface, json: options.json === true, ...(duration !== undefined ? { durationSeconds: duration } : {}) }, write),
        );
      });
  }

  if (wanted('status')) {
    program
      .command('status')
      .description('every virtual router of the running daemon: state, priority, Master, VIPs')
      .option('--json', 'the control protocol\'s status object')
      .option(...CONTROL_SOCKET_OPTION)
      .action(async (options: { json?: boolean; controlSocket: string }) => {
        const { status } = await import('./status.js');
        setExitCode(await status({ socket: options.controlSocket, json: options.json === true }, write));
      });
  }

  if (wanted('priority')) {
    program
      .command('priority')
      .description('override an instance\'s priority at runtime (1..254), or --reset to the configured one')
      .argument('<instance>', 'the vrrp_instance name')
      .argument('[priority]', 'the new priority, 1..254')
      .option('--reset', 'remove the override')
      .option(...CONTROL_SOCKET_OPTION)
      .action(async (instance: string, value: string | undefined, options: { reset?: boolean; controlSocket: string }) => {
        const { priority } = await import('./status.js');
        setExitCode(await priority({ socket: options.controlSocket, instance, reset: options.reset === true, ...(value !== undefined ? { priority: value } : {}) }, write));
      });
  }

  if (wanted('reload')) {
    program
      .command('reload')
      .description('re-read the configuration file of the running daemon and apply it (as SIGHUP); exit 1 with the errors if it is rejected')
      .option('--json', 'the result as JSON')
      .option(...CONTROL_SOCKET_OPTION)
      .action(async (options: { json?: boolean; controlSocket: string }) => {
        const { reload } = await import('./reload.js');
        setExitCode(await reload({ socket: options.controlSocket, json: options.json === true }, write));
      });
  }

  if (wanted('dump')) {
    program
      .command('dump')
      .description("the running daemon's state in keepalived's formats: --data (SIGUSR1), --stats (SIGUSR2), --json (keepalived's JSON dump)")
      .option('--data', "keepalived's data dump")
      .option('--stats', "keepalived's statistics")
      .option('--json', "keepalived's JSON dump")
      .option('--write', "have the daemon write the file keepalived would (/tmp/keepalived.*, or vrrpd run's --*-file) and print its path")
      .option(...CONTROL_SOCKET_OPTION)
      .action(async (options: { data?: boolean; stats?: boolean; json?: boolean; write?: boolean; controlSocket: string }) => {
        const formats = (['data', 'stats', 'json'] as const).filter((format) => options[format] === true);
        if (formats.length !== 1) throw new UsageError('give exactly one of --data, --stats, --json');
        const { dump } = await import('./reload.js');
        setExitCode(await dump({ socket: options.controlSocket, format: formats[0]!, write: options.write === true }, write));
      });
  }

  if (wanted('lab')) {
    program
      .command('lab')
      .description('as root: a namespace lab of routers running vrrpd on one link; shows election, failover and a priority override, then removes it')
      .option('--routers <n>', `how many routers (${MIN_ROUTERS}..${MAX_ROUTERS})`, '3')
      .option('--keep', 'leave the lab up at the end and print the commands to explore it')
      .option('--clean [lab]', 'remove the labs left up by --keep (or by a killed run), or only the one named, then exit')
      .action(async (options: { routers: string; keep?: boolean; clean?: boolean | string }) => {
        const routers = /^\d+$/.test(options.routers) ? Number(options.routers) : NaN;
        if (!(routers >= MIN_ROUTERS && routers <= MAX_ROUTERS)) throw new UsageError(`--routers: "${options.routers}" is not a number of routers from ${MIN_ROUTERS} to ${MAX_ROUTERS}`);
        const { lab } = await import('./lab/command.js');
        setExitCode(await lab({ routers, keep: options.keep === true, clean: options.clean ?? false }, write));
      });
  }

  return program;
}

function logLevelOption(text: string): LevelWithSilent {
  const level = LOG_LEVELS.find((known) => known === text);
  if (!level) throw new UsageError(`--log-level: unknown level "${text}", expected one of ${LOG_LEVELS.join(', ')}`);
  return level as LevelWithSilent;
}

function listenOption(flag: string, text: string | undefined): ListenAddress | undefined {
  try {
    return text === undefined ? undefined : parseListenAddress(text);
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message}`);
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  // genhash parses its own command line as keepalived's genhash does (its -V is a virtualhost,
  // which commander would take for --version): everything after the word is its.
  if (argv[0] === 'genhash' && argv.length > 1) {
    const { runGenhash } = await import('./genhash.js');
    return runGenhash(argv.slice(1));
  }
  try {
    let exitCode = 0;
    await buildProgram(undefined, (code) => (exitCode = code), commandNamed(argv[0])).parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ControlClientError) {
      process.stderr.write(`vrrpd: ${error.message}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`vrrpd: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** The subcommand `word` names, if any (anything else: --help, --version, a typo, gets the whole program). */
function commandNamed(word: string | undefined): CommandName | undefined {
  return COMMAND_NAMES.find((name) => name === word);
}
