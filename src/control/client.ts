// The CLI's side of the control socket: one request, one response, with errors a person can act on.
import type * as Net from 'node:net';
import { onFirstUse } from '../core/on-first-use.js';
import type { ControlRequest, ControlResponse } from './protocol.js';

/** node:net: the daemon's CLI imports this module for its error class; the socket is opened by the control commands only. */
const net = onFirstUse<typeof Net>('node:net');

export class ControlClientError extends Error {
  override readonly name = 'ControlClientError';
}

export function sendControlRequest(path: string, request: ControlRequest, timeoutMs = 5000): Promise<ControlResponse> {
  return new Promise((resolve, reject) => {
    const socket = net().connect(path);
    let buffered = '';
    const fail = (message: string): void => {
      socket.destroy();
      reject(new ControlClientError(message));
    };
    socket.setTimeout(timeoutMs, () => fail(`no answer from ${path} within ${timeoutMs} ms`));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ECONNREFUSED') fail(`vrrpd is not running (no control socket at ${path})`);
      else if (error.code === 'EACCES') fail(`permission denied on ${path}: run as root`);
      else fail(`${path}: ${error.message}`);
    });
    socket.on('connect', () => socket.write(JSON.stringify(request) + '\n'));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      socket.end();
      try {
        resolve(JSON.parse(buffered.slice(0, newline)) as ControlResponse);
      } catch {
        reject(new ControlClientError(`${path} answered something that is not JSON`));
      }
    });
  });
}
