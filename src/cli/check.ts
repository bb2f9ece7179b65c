// `vrrpd check -f FILE`: parse and validate without touching the host. Exit 1 on errors, 0
// otherwise (warnings listed). `run` refuses a config that `check` rejects, with the same messages.
import type { InterfaceResolver } from '../config/interface-detection.js';
import { collectIssues, formatIssue, hasErrors } from '../config/issues.js';
import { withHostIssues } from '../config/host-check.js';
import { loadConfigFile, loadConfigFileOnHost, type LoadResult } from '../config/load.js';
import { checkerNotes } from './checker-notes.js';
import { resolveVirtualServers } from '../config/validate-virtual-servers.js';

export interface CheckOptions {
  readonly file: string;
  readonly json?: boolean;
  readonly configId?: string;
  /**
   * `--host`: check against this host as `run` would: interface detection (YAML) is done and the
   * interfaces named must exist. Without it the file is checked alone.
   */
  readonly resolver?: InterfaceResolver;
  /** `--offline`: the file alone; interfaces this host lacks are not even warned about. */
  readonly offline?: boolean;
  /**
   * This host's interfaces (rtnetlink in vrrpd's network namespace). Without it, or with
   * `offline`, interfaces are not checked.
   */
  readonly interfaceNames?: () => Promise<ReadonlySet<string>>;
}

export async function check(options: CheckOptions, write: (text: string) => void): Promise<number> {
  const loadOptions = options.configId !== undefined ? { configId: options.configId } : {};
  // Without --host the file may be meant for another host: what this host lacks is a warning.
  const loaded: LoadResult = options.resolver ? await loadConfigFileOnHost(options.file, options.resolver, loadOptions) : loadConfigFile(options.file, loadOptions);
  const names = options.offline ? undefined : await hostInterfaces(options);
  const result = checkerNotes(names ? withHostIssues(loaded, (name) => names.has(name), options.resolver === undefined) : loaded);
  const failed = hasErrors(result.issues);
  // The virtual servers vrrpd will run (one keepalived would ignore, without real servers, is not among them; its warning says so).
  const virtualServers = failed ? [] : resolveVirtualServers(result.config, collectIssues()).map((vs) => vs.key);
  if (options.json) {
    write(
      JSON.stringify({
        ok: !failed,
        files: result.files,
        instances: result.config.instances.map((instance) => instance.name),
        ...(virtualServers.length > 0 ? { virtualServers } : {}),
        issues: result.issues,
      }) + '\n',
    );
    return failed ? 1 : 0;
  }
  for (const issue of result.issues) write(formatIssue(issue) + '\n');
  const count = (severity: string): number => result.issues.filter((issue) => issue.severity === severity).length;
  const errors = count('error');
  const warnings = count('warning');
  const notes = count('note');
  const noted = notes > 0 ? `, ${counted(notes, 'note')}` : '';
  write(
    failed
      ? `${options.file}: ${counted(errors, 'error')}, ${counted(warnings, 'warning')}${noted}\n`
      : `${options.file}: OK, ${[
          counted(result.config.instances.length, 'vrrp_instance'),
          // BFD sessions and virtual servers are named only in files that have them: the line of a VRRP-only file is unchanged.
          ...((result.config.bfdInstances?.length ?? 0) > 0 ? [counted(result.config.bfdInstances!.length, 'bfd_instance')] : []),
          ...(virtualServers.length > 0 ? [counted(virtualServers.length, 'virtual_server')] : []),
          ...(warnings > 0 ? [counted(warnings, 'warning')] : []),
        ].join(', ')}${noted}\n`,
  );
  return failed ? 1 : 0;
}

/**
 * The host's interfaces, or undefined when they are not to be checked. Without --host a host that
 * cannot be asked is no error: the file may be meant for another host.
 */
async function hostInterfaces(options: CheckOptions): Promise<ReadonlySet<string> | undefined> {
  if (!options.interfaceNames) return undefined;
  if (options.resolver) return options.interfaceNames();
  return options.interfaceNames().catch(() => undefined);
}

/** "1 vrrp_instance", "2 vrrp_instances". */
function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
