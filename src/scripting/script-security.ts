// keepalived's enable_script_security: a script that runs as root must not be changeable by
// anyone else. The file executed, and every directory on the way to it, must be owned by root
// and not writable by a non-root group or by others (a sticky directory such as /tmp may be
// world-writable: others cannot replace a root-owned file in it).
import { dirname, isAbsolute, join } from 'node:path';

export interface FileStat {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
}

/** What the check reads: stat of a path, and where an executable name is found on PATH. */
export interface SecurityFs {
  stat(path: string): FileStat | undefined;
  realpath(path: string): string | undefined;
}

export const SCRIPT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The file `command` (argv[0]) runs, as the kernel would find it on PATH. */
export function resolveExecutable(command: string, fs: SecurityFs, path = SCRIPT_PATH): string | undefined {
  if (command.includes('/')) return isAbsolute(command) ? command : undefined;
  for (const dir of path.split(':')) {
    const candidate = join(dir, command);
    const stat = fs.stat(candidate);
    if (stat && (stat.mode & 0o170000) === 0o100000) return candidate;
  }
  return undefined;
}

/** Why running `command` as root is unsafe, or undefined when it is safe. */
export function insecurity(command: string, fs: SecurityFs): string | undefined {
  const found = resolveExecutable(command, fs);
  if (!found) return `${command} is not an absolute path or a program on PATH`;
  const real = fs.realpath(found) ?? found;
  for (let path = real; ; path = dirname(path)) {
    const stat = fs.stat(path);
    if (!stat) return `${path} does not exist`;
    const sticky = (stat.mode & 0o1000) !== 0 && path !== real;
    if (stat.uid !== 0) return `${path} is owned by uid ${stat.uid}, not root`;
    if ((stat.mode & 0o020) !== 0 && stat.gid !== 0 && !sticky) return `${path} is writable by group ${stat.gid}`;
    if ((stat.mode & 0o002) !== 0 && !sticky) return `${path} is writable by everyone`;
    if (path === '/') return undefined;
  }
}
