// FILE_CHECK and BFD_CHECK of real servers in the LVS-NAT layout with real traffic (curl through the
// VIP): vrrpd runs a keepalived.conf whose rs1 is watched through a track_file (weight 0: a number
// other than 0 takes it out, as an operator drains a server) and rs3 through a BFD session with
// FRR's bfdd running on it. Writing the file or cutting BFD takes the server out of rotation (no
// request reaches it) with the reason in `vrrpd status`; undoing it puts the server back. Times
// are printed, not asserted.
import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { holds, waitFor } from '../helpers/daemons.js';
import { haveFrrBfdd, startBfdd, type Bfdd } from '../helpers/frr.js';
import { createNatLab, directorVrrp, GATEWAY_VIP, httpServer, listening, REAL_SERVERS, requests, runDirector, SERVICE_VIP, virtualServers, type Director, type NatLab } from '../helpers/lb-lab.js';
import { isRoot } from '../helpers/netns.js';

/** d1's address on the servers' segment, where its BFD session to rs3 starts. */
const DIRECTOR_SERVER_ADDRESS = '198.51.100.2';
const BFDD_CONFIG = `bfd\n peer ${DIRECTOR_SERVER_ADDRESS} local-address ${REAL_SERVERS[2]}\n  receive-interval 50\n  transmit-interval 50\n  detect-multiplier 3\n !\n!\n`;

describe.skipIf(!isRoot() || !haveFrrBfdd())('FILE_CHECK and BFD_CHECK of real servers, in the LVS-NAT layout (needs root and frr)', () => {
  let lab: NatLab;
  let director: Director;
  let child: ChildProcess | undefined;
  let bfdd: Bfdd | undefined;
  let maintenance = '';

  const server = async (index: number) => (await virtualServers(director)).find((vs) => vs.key === `[${SERVICE_VIP}]:tcp:80`)!.realServers.find((rs) => rs.key === `[${REAL_SERVERS[index]}]:tcp:80`)!;
  const spread = async (count = 99) => requests(lab.clients[0]!, `http://${SERVICE_VIP}/`, count);
  /** The status shows the pool's decision; the table follows in its own nft transaction: wait for it to spread over `servers`. */
  const table = async (servers: readonly string[]): Promise<void> => {
    const map = `numgen inc mod ${servers.length} map { ${servers.map((address, index) => `${index} : ${address} . 80`).join(', ')} }`;
    await waitFor(`the table to spread over ${servers.join(', ')}`, async () => (await lab.directors[0]!.exec('nft', ['list', 'table', 'inet', 'vrrpd_lb'])).stdout.includes(map), 10_000);
  };

  beforeAll(async () => {
    lab = await createNatLab();
    for (const [index, host] of lab.realServers.entries()) await listening(httpServer(host, `rs${index + 1}`));
    bfdd = await startBfdd(lab.realServers[2]!, BFDD_CONFIG);
    maintenance = join(lab.scratch, 'rs1.maintenance');
    const conf = join(lab.scratch, 'keepalived.conf');
    writeFileSync(
      conf,
      `${directorVrrp(150)}
track_file rs1_maintenance {
  file ${maintenance}
  init_file 0 overwrite
}
bfd_instance rs3 {
  neighbor_ip ${REAL_SERVERS[2]}
  source_ip ${DIRECTOR_SERVER_ADDRESS}
  min_rx 50
  min_tx 50
  multiplier 3
}
virtual_server ${SERVICE_VIP} 80 {
  protocol TCP
  lvs_sched rr
  lvs_method NAT
  real_server ${REAL_SERVERS[0]} 80 {
    FILE_CHECK {
      track_file rs1_maintenance
      weight 0
    }
  }
  real_server ${REAL_SERVERS[1]} 80 {
  }
  real_server ${REAL_SERVERS[2]} 80 {
    BFD_CHECK {
      name rs3
    }
  }
}
`,
    );
    const d1 = lab.directors[0]!;
    director = runDirector(d1, conf, join(lab.scratch, 'd1.sock'));
    child = director.process;
    const lines = director.lines;
    await waitFor('d1 to hold both VIPs', async () => (await holds(d1, SERVICE_VIP)) && (await d1.addresses('eth1')).some((a) => a.startsWith(`${GATEWAY_VIP}/`)), 30_000);
    await waitFor('the BFD session to rs3 to come Up on both ends', async () => (await bfdd!.peer(DIRECTOR_SERVER_ADDRESS))?.status === 'up' && (await server(2)).checkers[0]?.detail === 'bfd_instance rs3: Up', 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${lines.slice(-30).join('\n')}`);
    });
  }, 120_000);

  afterAll(async () => {
    for (const line of (director?.lines ?? []).filter((l) => /lb-watched|lb-server-|error/.test(l)).slice(0, 20)) console.log(line.slice(0, 300));
    child?.kill('SIGTERM');
    await Promise.race([director?.exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
    child?.kill('SIGKILL');
    await bfdd?.stop();
    await lab?.destroy();
  });

  test('FILE_CHECK weight 0: writing 1 to the track_file drains rs1 at once (no request reaches it), writing 0 brings it back', async () => {
    await table(REAL_SERVERS);
    expect((await spread()).counts).toEqual({ rs1: 33, rs2: 33, rs3: 33 });
    expect((await server(0)).checkers).toEqual([{ id: 'FILE_CHECK', state: 'up', runs: 1, detail: 'track_file rs1_maintenance reads 0, weight 0: not 0 is down' }]);
    const started = performance.now();
    writeFileSync(maintenance, '1\n');
    await waitFor('rs1 to leave rotation', async () => !(await server(0)).inService, 10_000);
    console.log(`FILE_CHECK: rs1 out of rotation ${Math.round(performance.now() - started)} ms after the write (read by vrrpd status runs, each ~0.1-0.2 s)`);
    expect((await server(0)).checkers[0]).toMatchObject({ state: 'failed', detail: 'track_file rs1_maintenance reads 1, weight 0: not 0 is down' });
    await table([REAL_SERVERS[1], REAL_SERVERS[2]]);
    const drained = await spread(60);
    expect(drained).toMatchObject({ failures: 0, counts: { rs2: 30, rs3: 30 } });
    writeFileSync(maintenance, '0\n');
    await waitFor('rs1 to return', async () => (await server(0)).inService, 10_000);
    await table(REAL_SERVERS);
    expect((await spread()).counts).toEqual({ rs1: 33, rs2: 33, rs3: 33 });
  }, 60_000);

  test('BFD_CHECK: bfdd killed on rs3 takes it out after the detection time (diagnostic in status), bfdd back brings it back', async () => {
    // SIGKILL: a bfdd stopped cleanly says AdminDown, which RFC 5882 §3.2 (and keepalived) do not count as a failure.
    await bfdd!.stop('SIGKILL');
    bfdd = undefined;
    const started = performance.now();
    await waitFor('rs3 to leave rotation', async () => !(await server(2)).inService, 10_000);
    const checker = (await server(2)).checkers[0]!;
    console.log(`BFD_CHECK: rs3 out of rotation ${Math.round(performance.now() - started)} ms after bfdd was killed (${checker.detail}; detection 150 ms; read by vrrpd status runs, each ~0.1-0.2 s)`);
    expect(checker).toMatchObject({ state: 'failed', detail: 'bfd_instance rs3: Down: Control Detection Time Expired' });
    await table([REAL_SERVERS[0], REAL_SERVERS[1]]);
    expect(await spread(60)).toMatchObject({ failures: 0, counts: { rs1: 30, rs2: 30 } });
    bfdd = await startBfdd(lab.realServers[2]!, BFDD_CONFIG);
    await waitFor('rs3 to return', async () => (await server(2)).inService, 20_000);
    expect((await server(2)).checkers[0]).toMatchObject({ state: 'up', detail: 'bfd_instance rs3: Up', lastFailure: 'bfd_instance rs3: Down: Control Detection Time Expired' });
    await table(REAL_SERVERS);
    expect((await spread()).counts).toEqual({ rs1: 33, rs2: 33, rs3: 33 });
  }, 60_000);
});
