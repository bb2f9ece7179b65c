// The sd_notify transport: one datagram to a unix socket path or abstract name, received intact by
// a python3 listener; argument and kernel errors are specific.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';
import { sendUnixDatagram } from '../../src/linux/sd-notify.js';

const LISTENER = `
import socket, sys
name = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + name[1:] if name.startswith('@') else name)
print('listening', flush=True)
sys.stdout.write(s.recv(65536).decode())
`;

async function receiveOne(name: string, send: () => void): Promise<string> {
  const child = spawn('python3', ['-c', LISTENER, name], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.startsWith('listening\n')) resolve();
    });
  });
  send();
  await exited;
  return output.slice('listening\n'.length);
}

describe('sendUnixDatagram', () => {
  test('a file-system socket receives the message as sent', async () => {
    const path = join(scratchDir('dgram'), 'notify.sock');
    expect(await receiveOne(path, () => expect(sendUnixDatagram(path, 'READY=1\nSTATUS=VI_1 Master')).toBe(26))).toBe('READY=1\nSTATUS=VI_1 Master');
  });

  test('an abstract name ("@...") works', async () => {
    const name = `@vrrpd-dgram-${process.pid}-${Date.now()}`;
    expect(await receiveOne(name, () => sendUnixDatagram(name, 'WATCHDOG=1'))).toBe('WATCHDOG=1');
  });

  test('errors: nobody listening, a path too long', () => {
    expect(() => sendUnixDatagram('/nonexistent/notify.sock', 'READY=1')).toThrow('sendto(/nonexistent/notify.sock): No such file or directory');
    expect(() => sendUnixDatagram(`/${'x'.repeat(200)}`, 'READY=1')).toThrow(RangeError);
  });
});
