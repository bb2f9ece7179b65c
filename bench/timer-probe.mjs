// Run by bench/timers.ts as `node bench/timer-probe.mjs PACKETS`, against the built dist/ (as the
// other benchmarks run bin/vrrpd): a packet every 20 to 27 ms (UDP on loopback), and on each one
// a little work and a 12.19 ms timer started with vrrpd's clock and with Node's setTimeout. Prints
// one JSON object: how late each timer fired, in ms (negative: early).
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { RealClock } from '../dist/linux/real-clock.js';

const SKEW_TIME_MS = 12.19;
const packets = Number(process.argv[2]);
const lateness = { realClock: [], setTimeout: [] };
const clock = new RealClock();
const receiver = createSocket('udp4');
const sender = createSocket('udp4');
receiver.bind(0, '127.0.0.1', () => {
  const port = receiver.address().port;
  let received = 0;
  receiver.on('message', () => {
    // Decoding and the state machine's work on a received advertisement, roughly.
    const until = performance.now() + 0.05;
    while (performance.now() < until);
    const deadline = performance.now() + SKEW_TIME_MS;
    clock.setTimer(SKEW_TIME_MS, () => lateness.realClock.push(clock.now() - deadline));
    setTimeout(() => lateness.setTimeout.push(performance.now() - deadline), SKEW_TIME_MS);
    if (++received === packets) {
      setTimeout(() => {
        receiver.close();
        sender.close();
        process.stdout.write(JSON.stringify(lateness) + '\n');
      }, 50);
    }
  });
  let sent = 0;
  const send = () => {
    sender.send('advertisement', port, '127.0.0.1');
    if (++sent < packets) setTimeout(send, 20 + Math.random() * 7);
  };
  send();
});
