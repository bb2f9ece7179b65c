// The checkers' port on Linux (src/checkers/io.ts): streams and datagrams through Node's own
// sockets, ICMP echo through shared raw sockets.
import type { CheckerIo, Datagram, DatagramEvents, DatagramOptions, EchoChannel, EchoEvents, EchoOptions, Stream, StreamEvents, StreamOptions } from '../../checkers/io.js';
import { EchoSockets } from './echo.js';
import { openDatagram, openStream } from './streams.js';

export class LinuxCheckerIo implements CheckerIo {
  private readonly echo = new EchoSockets();

  openStream(options: StreamOptions, events: StreamEvents): Stream {
    return openStream(options, events);
  }

  openDatagram(options: DatagramOptions, events: DatagramEvents): Datagram {
    return openDatagram(options, events);
  }

  openEcho(options: EchoOptions, events: EchoEvents): EchoChannel {
    return this.echo.open(options, events);
  }

  /** Closes the shared ICMP sockets. */
  close(): void {
    this.echo.close();
  }
}
