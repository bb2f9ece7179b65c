// Types for the parts of the `raw-socket` package vrrpd uses (the package ships none).
declare module 'raw-socket' {
  import { EventEmitter } from 'node:events';

  export const AddressFamily: { readonly IPv4: number; readonly IPv6: number };
  export const SocketLevel: { readonly SOL_SOCKET: number; readonly IPPROTO_IP: number; readonly IPPROTO_IPV6: number };

  export interface SocketOptions {
    readonly addressFamily?: number;
    readonly protocol?: number;
    readonly bufferSize?: number;
    readonly generateChecksums?: boolean;
    readonly checksumOffset?: number;
  }

  export class Socket extends EventEmitter {
    send(
      buffer: Buffer,
      offset: number,
      length: number,
      address: string,
      afterCallback: (error: Error | null, bytes: number) => void,
    ): this;
    setOption(level: number, option: number, value: Buffer, length: number): void;
    setOption(level: number, option: number, value: number): void;
    close(): this;
    pauseRecv(): this;
    resumeRecv(): this;
    on(event: 'message', listener: (buffer: Buffer, source: string) => void): this;
    on(event: 'error', listener: (error: Error) => void): this;
    on(event: 'close', listener: () => void): this;
  }

  export function createSocket(options?: SocketOptions): Socket;
}
