// An HTTP GET from inside a lab host's network namespace, as a kubelet's httpGet probe reaches a
// hostNetwork pod: from the node, not from inside the container. python3's urllib (scripts/setup
// installs python3) does the request, since the test's own process is in the root namespace.
import type { LabHost } from './netns.js';

const GET = `
import json, sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
        status, body = r.status, r.read().decode()
except urllib.error.HTTPError as e:
    status, body = e.code, e.read().decode()
print(json.dumps({"status": status, "body": body}))
`;

/** GET `url` from `host`'s namespace: the status, and the body (parsed when it is JSON). */
export async function httpGet(host: LabHost, url: string): Promise<{ status: number; body: unknown }> {
  const { status, body } = JSON.parse((await host.exec('python3', ['-c', GET, url])).stdout) as { status: number; body: string };
  try {
    return { status, body: JSON.parse(body) as unknown };
  } catch {
    return { status, body };
  }
}
