// The native addon vrrpd_operate (native-shims/unix_datagram.cc, signal_pipe.cc): what systemd's
// notify protocol and keepalived's realtime dump signal need and Node cannot do.
import { createRequire } from 'node:module';
import { join } from 'node:path';

export interface OperateShim {
  /** One datagram to an AF_UNIX socket path, or an abstract name written "@name". */
  sendUnixDatagram(path: string, message: Buffer): number;
  /** Installs a handler for a realtime signal; returns a pipe's read end, one byte per delivery. */
  signalPipe(signo: number): number;
  /** The C library's SIGRTMIN (34 with glibc, which keeps two for threads). */
  realtimeSignalMin(): number;
}

let shim: OperateShim | undefined;

export function operateShim(): OperateShim {
  if (!shim) {
    const path = join(import.meta.dirname, '..', '..', 'native-shims', 'build', 'Release', 'vrrpd_operate.node');
    try {
      shim = createRequire(import.meta.url)(path) as OperateShim;
    } catch (error) {
      throw new Error(`the native shim is not built (${path}): run npm ci or npm run build:native (${(error as Error).message})`);
    }
  }
  return shim;
}
