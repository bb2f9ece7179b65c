// Who a script runs as: vrrp_script `user`, else global_defs `script_user`, else keepalived's
// default, the user keepalived_script if it exists and root otherwise. Names are resolved through
// /etc/passwd and /etc/group (the file contents are injected, so tests need no real users).

export interface ScriptIdentity {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

export const ROOT: ScriptIdentity = { user: 'root', uid: 0, gid: 0 };
const KEEPALIVED_DEFAULT_USER = 'keepalived_script';

export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError';
}

export class UserDatabase {
  private readonly users = new Map<string, { uid: number; gid: number }>();
  private readonly groups = new Map<string, number>();

  constructor(passwd: string, group: string) {
    for (const line of passwd.split('\n')) {
      const [name, , uid, gid] = line.split(':');
      if (name && uid !== undefined && gid !== undefined) this.users.set(name, { uid: Number(uid), gid: Number(gid) });
    }
    for (const line of group.split('\n')) {
      const [name, , gid] = line.split(':');
      if (name && gid !== undefined) this.groups.set(name, Number(gid));
    }
  }

  /** `user [group]` as written in the configuration; undefined for keepalived's default. */
  resolve(spec: string | undefined): ScriptIdentity {
    if (spec === undefined) {
      const fallback = this.users.get(KEEPALIVED_DEFAULT_USER);
      return fallback ? { user: KEEPALIVED_DEFAULT_USER, ...fallback } : ROOT;
    }
    const [name = '', groupName] = spec.trim().split(/\s+/);
    const user = this.users.get(name) ?? (/^\d+$/.test(name) ? { uid: Number(name), gid: Number(name) } : undefined);
    if (!user) throw new UnknownUserError(`user "${name}" does not exist (not in /etc/passwd)`);
    if (groupName === undefined) return { user: name, ...user };
    const gid = this.groups.get(groupName) ?? (/^\d+$/.test(groupName) ? Number(groupName) : undefined);
    if (gid === undefined) throw new UnknownUserError(`group "${groupName}" does not exist (not in /etc/group)`);
    return { user: name, uid: user.uid, gid };
  }
}
