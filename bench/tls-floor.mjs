// Run by bench/checkers.ts in a lab host as `node bench/tls-floor.mjs JSON`: what one HTTPS check
// costs Node itself, with nothing of vrrpd around it. Every `intervalMs` a node:tls connection to
// `address`:443 (unverified, one shared context as src/linux/checkers/streams.ts), `GET path`,
// the response read to its end, closed; `checks` of them after `warmup` unmeasured ones. With
// `tls: false` the same process only wakes at each interval: the CPU of waking, to subtract.
// `worker: true` makes each check in a worker thread, one message there and back per check, as
// vrrpd's checkers' worker. Prints one JSON object: the process's CPU (every thread) per check, ms.
import { connect, createSecureContext } from 'node:tls';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';

const options = JSON.parse(process.argv[2]);
const { address, path = '/', intervalMs, checks, warmup = 5, tls = true, worker = false } = options;

function check(context) {
  return new Promise((resolve, reject) => {
    if (!tls) return resolve();
    const socket = connect({ host: address, port: 443, rejectUnauthorized: false, secureContext: context });
    socket.once('secureConnect', () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    socket.on('data', () => undefined);
    socket.once('end', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

if (!isMainThread) {
  const context = createSecureContext();
  parentPort.on('message', () => check(context).then(() => parentPort.postMessage('ok'), (error) => parentPort.postMessage(error.message)));
} else {
  let one;
  let thread;
  if (worker) {
    thread = new Worker(new URL(import.meta.url), { argv: process.argv.slice(2) });
    one = () =>
      new Promise((resolve, reject) => {
        thread.once('message', (answer) => (answer === 'ok' ? resolve() : reject(new Error(answer))));
        thread.postMessage('run');
      });
  } else {
    const context = createSecureContext();
    one = () => check(context);
  }
  const pause = () => new Promise((resolve) => setTimeout(resolve, intervalMs));
  for (let i = 0; i < warmup; i++) await one().then(pause);
  const before = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < checks; i++) await one().then(pause);
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ cpuMsPerCheck: (used.user + used.system) / 1000 / checks, seconds: (performance.now() - started) / 1000 }));
  await thread?.terminate();
}
