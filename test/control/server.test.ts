import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { sendControlRequest } from '../../src/control/client.js';
import { MAX_REQUEST_BYTES } from '../../src/control/protocol.js';
import { CommandError, ControlServer, type CommandHandler } from '../../src/control/server.js';
import { scratchDir } from '../helpers/scratch.js';

const dir = scratchDir('control');
const path = join(dir, 'sub', 'vrrpd.sock');
let server: ControlServer;

beforeAll(async () => {
  const handlers = new Map<string, CommandHandler>([
    ['ping', () => ({ pong: true })],
    ['refuse', () => {
      throw new CommandError('invalid-arguments', 'no instance "VI_9"');
    }],
  ]);
  server = await ControlServer.listen(path, handlers);
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends raw bytes, returns the response lines received before the server closes or 300 ms pass. */
function raw(bytes: string): Promise<string[]> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('connect', () => socket.write(bytes));
    const done = (): void => {
      socket.destroy();
      resolve(text.split('\n').filter(Boolean));
    };
    socket.on('close', done);
    setTimeout(done, 300);
  });
}

test('the socket is created with mode 0600', () => {
  expect(statSync(path).mode & 0o777).toBe(0o600);
});

test('ping answers, echoing the id', async () => {
  expect(await sendControlRequest(path, { id: 7, command: 'ping' })).toEqual({ id: 7, ok: true, result: { pong: true } });
});

test('malformed requests get specific errors and the connection keeps working', async () => {
  const lines = await raw('not json\n[1]\n{"command":""}\n{"command":"ping","id":{}}\n{"command":"ping"}\n');
  expect(lines.map((line) => JSON.parse(line))).toEqual([
    { ok: false, error: { code: 'malformed-request', message: expect.stringContaining('not JSON') } },
    { ok: false, error: { code: 'malformed-request', message: 'a request is a JSON object' } },
    { ok: false, error: { code: 'malformed-request', message: 'a request needs a "command" string' } },
    { ok: false, error: { code: 'malformed-request', message: '"id" must be a string or a number' } },
    { ok: true, result: { pong: true } },
  ]);
});

test('unknown commands list the known ones; handler refusals keep their code', async () => {
  expect(await sendControlRequest(path, { command: 'dance' })).toEqual({
    ok: false,
    error: { code: 'unknown-command', message: 'unknown command "dance"; known: ping, refuse' },
  });
  expect(await sendControlRequest(path, { command: 'refuse' })).toEqual({ ok: false, error: { code: 'invalid-arguments', message: 'no instance "VI_9"' } });
});

test('an oversized request is refused and its connection closed; the server still answers others', async () => {
  const lines = await raw('x'.repeat(MAX_REQUEST_BYTES + 10));
  expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ ok: false, error: { code: 'request-too-large' } });
  expect(await sendControlRequest(path, { command: 'ping' })).toMatchObject({ ok: true });
});

test('an abandoned half-written request does not disturb the server', async () => {
  const socket = connect(path);
  await new Promise((resolve) => socket.on('connect', resolve));
  socket.write('{"command":"pi');
  socket.destroy();
  expect(await sendControlRequest(path, { command: 'ping' })).toMatchObject({ ok: true });
});

test('the client says when no daemon is running', async () => {
  await expect(sendControlRequest(join(dir, 'absent.sock'), { command: 'ping' })).rejects.toThrow(/vrrpd is not running/);
});
