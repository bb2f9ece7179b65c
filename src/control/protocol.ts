// The control socket's protocol: one JSON object per line each way. A request names a command
// and may carry an id, echoed in the response so clients can pipeline. Documented in docs/operations.md ("The control protocol").
export const DEFAULT_CONTROL_SOCKET = '/run/vrrpd/vrrpd.sock';
/** A request longer than this is refused and the connection closed: nothing legitimate is this big. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface ControlRequest {
  readonly id?: string | number;
  readonly command: string;
  readonly args?: Record<string, unknown>;
}

export type ControlErrorCode = 'malformed-request' | 'request-too-large' | 'unknown-command' | 'invalid-arguments' | 'failed';

export type ControlResponse =
  | { readonly id?: string | number; readonly ok: true; readonly result: unknown }
  | { readonly id?: string | number; readonly ok: false; readonly error: { readonly code: ControlErrorCode; readonly message: string } };

/** Parses one request line; a string is the reason it is not a request. */
export function parseRequest(line: string): ControlRequest | { readonly error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { error: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'a request is a JSON object' };
  const record = value as Record<string, unknown>;
  if (typeof record['command'] !== 'string' || record['command'] === '') return { error: 'a request needs a "command" string' };
  const id = record['id'];
  if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') return { error: '"id" must be a string or a number' };
  const args = record['args'];
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) return { error: '"args" must be an object' };
  return {
    command: record['command'],
    ...(id !== undefined ? { id } : {}),
    ...(args !== undefined ? { args: args as Record<string, unknown> } : {}),
  };
}
