// The tracking ports on Linux: the file system (track_file, script security), /proc
// (vrrp_track_process), /etc/passwd and /etc/group (script users). All reads that can happen
// while the daemon runs are asynchronous; only start-up reads small files synchronously.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import type * as AsyncFs from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { nativeShims, type NativeDirectoryWatch } from './native.js';
import type { FileWatchPort } from '../tracking/file-tracker.js';
import type { ProcessEntry, ProcessTablePort } from '../tracking/process-tracker.js';
import type { SecurityFs } from '../scripting/script-security.js';
import { UserDatabase } from '../scripting/users.js';
import { onFirstUse } from '../core/on-first-use.js';

/** node:fs/promises (node:readline and the streams behind it): loaded at the first read or list, after a daemon's first advertisement. */
const asyncFs = onFirstUse<typeof AsyncFs>('node:fs/promises');

/** track_file reads at most this much: the number is at the start. */
const TRACK_FILE_READ_BYTES = 4096;
const TRACK_FILE_POLL_MS = 1000;
/** inotify(7): the watch was removed (its directory deleted, or its file system unmounted). */
const IN_IGNORED = 0x8000;

export class LinuxFiles implements FileWatchPort {
  watch(path: string, onChange: () => void): () => void {
    // The directory is watched as keepalived watches it (IN_CLOSE_WRITE, IN_DELETE, IN_MOVE: see
    // native-shims/directory_watch.cc): the file is read once written and closed, replaced (editors
    // rename over it) or removed, never between a truncation and the write that follows.
    let watcher: NativeDirectoryWatch | undefined;
    let poll: NodeJS.Timeout | undefined;
    const name = basename(path);
    // Without a directory to watch (not created yet, or removed), read the file every second.
    const fallBackToPolling = (): void => {
      watcher?.close();
      watcher = undefined;
      poll ??= setInterval(onChange, TRACK_FILE_POLL_MS).unref();
    };
    try {
      watcher = new (nativeShims().DirectoryWatch)(dirname(path), (error, changed, mask) => {
        // IN_IGNORED: the directory itself went away.
        if (error || ((mask ?? 0) & IN_IGNORED) !== 0) fallBackToPolling();
        else if (changed === name) onChange();
      });
    } catch {
      fallBackToPolling();
    }
    return () => {
      watcher?.close();
      if (poll) clearInterval(poll);
    };
  }

  async read(path: string): Promise<string | undefined> {
    try {
      const handle = await asyncFs().open(path, 'r');
      try {
        const buffer = Buffer.alloc(TRACK_FILE_READ_BYTES);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
        return buffer.subarray(0, bytesRead).toString('utf8');
      } finally {
        await handle.close();
      }
    } catch {
      return undefined;
    }
  }

  async initialise(path: string, content: string, overwrite: boolean): Promise<void> {
    await asyncFs().writeFile(path, content, { flag: overwrite ? 'w' : 'wx' }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
  }
}

export class ProcTable implements ProcessTablePort {
  async list(): Promise<ProcessEntry[]> {
    const pids = (await asyncFs().readdir('/proc')).filter((name) => /^\d+$/.test(name));
    const entries = await Promise.all(
      pids.map(async (pid): Promise<ProcessEntry | undefined> => {
        try {
          const [comm, cmdline] = await Promise.all([asyncFs().readFile(`/proc/${pid}/comm`, 'utf8'), asyncFs().readFile(`/proc/${pid}/cmdline`, 'utf8')]);
          return { pid: Number(pid), comm: comm.replace(/\n$/, ''), cmdline: cmdline.split('\0').filter((word, i, all) => i < all.length - 1 || word !== '') };
        } catch {
          return undefined; // exited while we looked
        }
      }),
    );
    return entries.filter((entry): entry is ProcessEntry => entry !== undefined);
  }
}

export const linuxSecurityFs: SecurityFs = {
  stat: (path) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    return stat ? { uid: stat.uid, gid: stat.gid, mode: stat.mode } : undefined;
  },
  realpath: (path) => {
    try {
      return realpathSync(path);
    } catch {
      return undefined;
    }
  },
};

export function systemUsers(): UserDatabase {
  const read = (path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  return new UserDatabase(read('/etc/passwd'), read('/etc/group'));
}
