// A CheckerIo whose sockets the test plays the far end of: each open is recorded, and the test
// makes it connect, answer, close, reset or stay silent. Events arrive as the real adapter
// delivers them: never during the open call.
import type { CheckerIo, DatagramEvents, DatagramOptions, EchoEvents, EchoOptions, IoError, StreamEvents, StreamOptions } from '../../src/checkers/io.js';

export class FakeStream {
  readonly written: Uint8Array[] = [];
  closed = false;
  closedWithNotify = false;

  constructor(
    readonly options: StreamOptions,
    readonly events: StreamEvents,
  ) {}

  get request(): string {
    return Buffer.concat(this.written).toString('latin1');
  }

  accept(): void {
    if (this.options.tls) this.events.handshaking?.();
    this.events.connected();
  }

  send(data: string | Uint8Array): void {
    this.events.data(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  fail(code: string, during: 'connect' | 'handshake' | 'transfer', message = code): void {
    this.events.error({ code, message }, during);
  }
}

export class FakeDatagram {
  readonly sent: Uint8Array[] = [];
  closed = false;

  constructor(
    readonly options: DatagramOptions,
    readonly events: DatagramEvents,
  ) {}
}

export class FakeEcho {
  readonly sent: Uint8Array[] = [];
  closed = false;

  constructor(
    readonly options: EchoOptions,
    readonly events: EchoEvents,
    readonly identifier: number,
  ) {}
}

export class FakeIo implements CheckerIo {
  readonly streams: FakeStream[] = [];
  readonly datagrams: FakeDatagram[] = [];
  readonly echoes: FakeEcho[] = [];
  /** What the next datagram sockets do once open: become ready (default) or fail. */
  datagramError: IoError | undefined;

  openStream(options: StreamOptions, events: StreamEvents) {
    const stream = new FakeStream(options, events);
    this.streams.push(stream);
    return {
      write: (bytes: Uint8Array) => void stream.written.push(bytes),
      close: (notify?: boolean) => {
        stream.closed = true;
        stream.closedWithNotify = notify === true;
      },
    };
  }

  openDatagram(options: DatagramOptions, events: DatagramEvents) {
    const datagram = new FakeDatagram(options, events);
    this.datagrams.push(datagram);
    const error = this.datagramError;
    queueMicrotask(() => (error ? events.error(error) : events.ready()));
    return { send: (bytes: Uint8Array) => void datagram.sent.push(bytes), close: () => void (datagram.closed = true) };
  }

  openEcho(options: EchoOptions, events: EchoEvents) {
    const echo = new FakeEcho(options, events, 0x4242 + this.echoes.length);
    this.echoes.push(echo);
    return { identifier: echo.identifier, send: (bytes: Uint8Array) => void echo.sent.push(bytes), close: () => void (echo.closed = true) };
  }

  get lastStream(): FakeStream {
    const stream = this.streams[this.streams.length - 1];
    if (!stream) throw new Error('no stream opened');
    return stream;
  }
}

/** Lets promise callbacks run (the checker awaits between attempts). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
