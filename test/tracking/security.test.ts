// Script users from /etc/passwd, and enable_script_security's rule on who may change a script.
import { describe, expect, test } from 'vitest';
import { insecurity, type FileStat, type SecurityFs } from '../../src/scripting/script-security.js';
import { UnknownUserError, UserDatabase } from '../../src/scripting/users.js';

const passwd = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/usr/sbin/nologin\nkeepalived_script:x:990:990::/:/bin/false\n';
const group = 'root:x:0:\nnogroup:x:65534:\nadm:x:4:\n';

describe('UserDatabase', () => {
  const users = new UserDatabase(passwd, group);
  test('user, user and group, keepalived_script by default', () => {
    expect(users.resolve('nobody')).toEqual({ user: 'nobody', uid: 65534, gid: 65534 });
    expect(users.resolve('nobody adm')).toEqual({ user: 'nobody', uid: 65534, gid: 4 });
    expect(users.resolve(undefined)).toEqual({ user: 'keepalived_script', uid: 990, gid: 990 });
    expect(new UserDatabase('root:x:0:0::/:/bin/sh\n', '').resolve(undefined)).toEqual({ user: 'root', uid: 0, gid: 0 });
  });
  test('unknown users and groups are named', () => {
    expect(() => users.resolve('haproxy')).toThrow(new UnknownUserError('user "haproxy" does not exist (not in /etc/passwd)'));
    expect(() => users.resolve('nobody wheel')).toThrow('group "wheel" does not exist');
  });
});

describe('insecurity', () => {
  const tree = (entries: Record<string, FileStat>): SecurityFs => ({ stat: (path) => entries[path], realpath: (path) => path });
  const dir = (mode: number, uid = 0, gid = 0): FileStat => ({ uid, gid, mode: 0o040000 | mode });
  const file = (mode: number, uid = 0, gid = 0): FileStat => ({ uid, gid, mode: 0o100000 | mode });
  const safe = { '/': dir(0o755), '/etc': dir(0o755), '/etc/keepalived': dir(0o755), '/etc/keepalived/chk.sh': file(0o755) };

  test('a root-owned script in root-owned directories is safe', () => {
    expect(insecurity('/etc/keepalived/chk.sh', tree(safe))).toBeUndefined();
  });
  test('a script owned by another user, or writable by a group or everyone, is not', () => {
    expect(insecurity('/etc/keepalived/chk.sh', tree({ ...safe, '/etc/keepalived/chk.sh': file(0o755, 1000) }))).toBe('/etc/keepalived/chk.sh is owned by uid 1000, not root');
    expect(insecurity('/etc/keepalived/chk.sh', tree({ ...safe, '/etc/keepalived/chk.sh': file(0o775, 0, 50) }))).toBe('/etc/keepalived/chk.sh is writable by group 50');
    expect(insecurity('/etc/keepalived/chk.sh', tree({ ...safe, '/etc/keepalived/chk.sh': file(0o757) }))).toBe('/etc/keepalived/chk.sh is writable by everyone');
  });
  test('so is any directory on its path; a sticky directory such as /tmp is fine', () => {
    expect(insecurity('/etc/keepalived/chk.sh', tree({ ...safe, '/etc/keepalived': dir(0o777) }))).toBe('/etc/keepalived is writable by everyone');
    expect(insecurity('/tmp/chk.sh', tree({ '/': dir(0o755), '/tmp': dir(0o1777), '/tmp/chk.sh': file(0o755) }))).toBeUndefined();
  });
  test('a program name is looked up on PATH', () => {
    expect(insecurity('killall', tree({ '/': dir(0o755), '/usr': dir(0o755), '/usr/bin': dir(0o755), '/usr/bin/killall': file(0o755) }))).toBeUndefined();
    expect(insecurity('nonexistent', tree(safe))).toBe('nonexistent is not an absolute path or a program on PATH');
  });
});
