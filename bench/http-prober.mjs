// Run by bench/probes.ts inside a lab host's namespace as `node bench/http-prober.mjs URL COUNT
// PERIOD_MS`: GETs URL COUNT times, one after the other with PERIOD_MS between them, each on a new
// connection (as the kubelet's HTTP probes are: no keep-alive), and prints one JSON object: the
// statuses seen, the wall time of each request, and this process's CPU for the loop alone
// (its start-up excluded): a stand-in for the kubelet's own cost of an httpGet probe.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, count, periodMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 0)];

function get() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode, ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

const statuses = {};
const wallMs = [];
const cpu = process.cpuUsage();
for (let i = 0; i < count; i++) {
  const { status, ms } = await get();
  statuses[status] = (statuses[status] ?? 0) + 1;
  wallMs.push(ms);
  if (periodMs > 0) await new Promise((resolve) => setTimeout(resolve, periodMs));
}
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ statuses, wallMs, cpuUs: used.user + used.system }) + '\n');
