// SMTP_CHECK against a real SMTP server in a network namespace: Python's standard-library SMTP
// server (smtpd, Debian 12's python3), over IPv4 and IPv6, through the Linux adapter
// (run-check.mjs on host `chk`). Stopped, it is refused; another service on port 25 is "not an
// SMTP reply", or a timeout when it never speaks first. The conversation itself, case by case: test/checkers/smtp.test.ts.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runChecks, type CheckLine } from '../helpers/run-check.js';
import { isRoot, NamespaceLab, sweepStaleLabs, type LabHost } from '../helpers/netns.js';
import { waitFor } from '../helpers/daemons.js';

/** Debian's python3 (not a user's pyenv one): smtpd is in its standard library up to 3.11. */
const PYTHON = '/usr/bin/python3';
const haveSmtpd = spawnSync(PYTHON, ['-W', 'ignore', '-c', 'import smtpd'], { stdio: 'ignore' }).status === 0;
const SRV = '192.0.2.25';
const SRV6 = '2001:db8::25';

let lab: NamespaceLab | undefined;
let chk: LabHost;
let srv: LabHost;

const smtpCheck = (address: string, port = 25) => ({
  type: 'SMTP_CHECK',
  endpoint: { address, family: address.includes(':') ? 'ipv6' : 'ipv4', port },
  connectTimeoutMs: 2000,
  retry: 0,
  delayBeforeRetryMs: 0,
  heloName: 'lb1.example.test',
});

async function check(address: string, port = 25): Promise<CheckLine> {
  return (await runChecks(chk, { spec: smtpCheck(address, port) })).pop() ?? ({} as CheckLine);
}

/** An SMTP server listening on address:25 (smtpd's DebuggingServer: accepts, prints, keeps nothing). */
async function smtpServer(address: string): Promise<ChildProcess> {
  // smtpd's command line cannot say an IPv6 address: the same server started from its class.
  const program = `import asyncore, smtpd; smtpd.DebuggingServer((${JSON.stringify(address)}, 25), None); asyncore.loop()`;
  const child = srv.spawn(PYTHON, ['-W', 'ignore', '-c', program]);
  const listen = address.includes(':') ? `[${address}]:25` : `${address}:25`;
  await waitFor(`smtpd on ${listen}`, async () => (await srv.exec('ss', ['-Hltn', `src ${listen}`])).stdout.trim() !== '', 10_000);
  return child;
}

describe.skipIf(!isRoot() || !haveSmtpd)('SMTP_CHECK against a real SMTP server (needs root, Debian 12 python3)', () => {
  beforeAll(async () => {
    await sweepStaleLabs();
    lab = await NamespaceLab.create();
    chk = await lab.addHost('chk', ['192.0.2.10/24', '2001:db8::10/64']);
    srv = await lab.addHost('srv', [`${SRV}/24`, `${SRV6}/64`]);
  }, 30_000);

  afterAll(async () => {
    await lab?.destroy();
  });

  test('a running server passes over IPv4 and IPv6; stopped, the check is refused', async () => {
    const v4 = await smtpServer(SRV);
    const v6 = await smtpServer(SRV6);
    expect(await check(SRV)).toMatchObject({ ok: true, detail: 'SMTP greeting 220, HELO 250, QUIT 221' });
    expect(await check(SRV6)).toMatchObject({ ok: true, detail: 'SMTP greeting 220, HELO 250, QUIT 221' });
    // In the checkers' worker thread, where vrrpd places checks past the first twenty a second.
    expect((await runChecks(chk, { spec: smtpCheck(SRV), thread: 'worker' })).pop()).toMatchObject({ ok: true, detail: 'SMTP greeting 220, HELO 250, QUIT 221' });
    v4.kill('SIGTERM');
    v6.kill('SIGTERM');
    await waitFor('smtpd to stop', async () => (await srv.exec('ss', ['-Hltn', 'sport = :25'])).stdout.trim() === '', 10_000);
    expect(await check(SRV)).toMatchObject({ ok: false, detail: 'connection refused', reason: 'refused' });
  });

  test('another service on the port (an SSH banner) is not SMTP; one that never greets (HTTP) times out in the reply stage', async () => {
    const ssh = srv.spawn('node', ['-e', `require('net').createServer((c) => c.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\\r\\n')).listen(25, '${SRV}')`]);
    try {
      await waitFor('the SSH-like server', async () => (await srv.exec('ss', ['-Hltn', 'sport = :25'])).stdout.trim() !== '', 10_000);
      expect(await check(SRV)).toMatchObject({ ok: false, detail: 'not an SMTP reply: "SSH-2.0-OpenSSH_9.2p1 Debian-2"', reason: 'smtp-reply' });
    } finally {
      ssh.kill('SIGKILL');
    }
    await waitFor('port 25 free', async () => (await srv.exec('ss', ['-Hltn', 'sport = :25'])).stdout.trim() === '', 10_000);
    const http = srv.spawn('node', ['-e', `require('http').createServer((q, s) => s.end('x')).listen(25, '${SRV}')`]);
    try {
      await waitFor('the HTTP server', async () => (await srv.exec('ss', ['-Hltn', 'sport = :25'])).stdout.trim() !== '', 10_000);
      // An HTTP server says nothing until asked: the check waits for a greeting until connect_timeout.
      expect(await check(SRV)).toMatchObject({ ok: false, detail: 'timed out after 2000 ms during the reply (0 bytes received)', reason: 'timeout' });
    } finally {
      http.kill('SIGKILL');
    }
  });
});
