// The daemon's control socket: a unix socket (mode 0600) speaking JSON lines. Bad requests get an
// error response; an oversized one closes its connection; nothing a client sends can disturb the
// daemon beyond its own connection.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import type * as Net from 'node:net';
import type { Server, Socket } from 'node:net';
import { dirname } from 'node:path';
import { MAX_REQUEST_BYTES, parseRequest, type ControlRequest, type ControlResponse } from './protocol.js';
import { onFirstUse } from '../core/on-first-use.js';

/** node:net: loaded when the server opens, after a daemon's first advertisement. */
const net = onFirstUse<typeof Net>('node:net');

export type CommandHandler = (request: ControlRequest) => unknown | Promise<unknown>;

/** A handler's refusal with a code the client can act on (e.g. unknown instance). */
export class CommandError extends Error {
  constructor(
    readonly code: 'invalid-arguments' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

export class ControlServer {
  private readonly server: Server;
  private readonly connections = new Set<Socket>();

  private constructor(
    readonly path: string,
    private readonly handlers: ReadonlyMap<string, CommandHandler>,
  ) {
    this.server = net().createServer((socket) => this.accept(socket));
  }

  static async listen(path: string, handlers: ReadonlyMap<string, CommandHandler>): Promise<ControlServer> {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    // A socket file left by a killed daemon would make listen fail with EADDRINUSE.
    rmSync(path, { force: true });
    const control = new ControlServer(path, handlers);
    await new Promise<void>((resolve, reject) => {
      control.server.once('error', reject);
      control.server.listen(path, () => {
        control.server.off('error', reject);
        resolve();
      });
    });
    chmodSync(path, 0o600);
    return control;
  }

  private accept(socket: Socket): void {
    this.connections.add(socket);
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line !== '') void this.answer(socket, line);
        newline = buffered.indexOf('\n');
      }
      if (Buffer.byteLength(buffered) > MAX_REQUEST_BYTES) {
        this.reply(socket, { ok: false, error: { code: 'request-too-large', message: `requests are limited to ${MAX_REQUEST_BYTES} bytes` } });
        socket.end();
        buffered = '';
      }
    });
  }

  private async answer(socket: Socket, line: string): Promise<void> {
    const request = parseRequest(line);
    if ('error' in request) {
      this.reply(socket, { ok: false, error: { code: 'malformed-request', message: request.error } });
      return;
    }
    const id = request.id !== undefined ? { id: request.id } : {};
    const handler = this.handlers.get(request.command);
    if (!handler) {
      const known = [...this.handlers.keys()].sort().join(', ');
      this.reply(socket, { ...id, ok: false, error: { code: 'unknown-command', message: `unknown command "${request.command}"; known: ${known}` } });
      return;
    }
    try {
      this.reply(socket, { ...id, ok: true, result: await handler(request) });
    } catch (error) {
      const code = error instanceof CommandError ? error.code : 'failed';
      this.reply(socket, { ...id, ok: false, error: { code, message: (error as Error).message } });
    }
  }

  private reply(socket: Socket, response: ControlResponse): void {
    if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n');
  }

  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.path, { force: true });
  }
}
