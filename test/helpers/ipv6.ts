// IPv6 in lab hosts: the kernel adds eth0's link-local address a moment after the link comes up.
import { waitFor } from './daemons.js';
import { sh, type LabHost, type NamespaceLab } from './netns.js';

/** The host's link-local address on the device, once the kernel has it (and it is not tentative). */
export async function linkLocal(host: LabHost, device = 'eth0'): Promise<string> {
  let address: string | undefined;
  await waitFor(`${host.name} to have a link-local address`, async () => {
    const { stdout } = await host.ip('-j', '-6', 'addr', 'show', 'dev', device, 'scope', 'link');
    const [link] = JSON.parse(stdout) as Array<{ addr_info: Array<{ local?: string; tentative?: boolean }> }>;
    // iproute2 prints an empty object for each address the scope filter leaves out.
    address = link?.addr_info.find((info) => info.local?.startsWith('fe80:') && !info.tentative)?.local;
    return address !== undefined;
  }, 5000);
  if (address === undefined) throw new Error(`${host.name} has no link-local address`);
  return address;
}

/**
 * Makes the lab's bridge flood all multicast. With MLD snooping (the default) it forwards ff02::12
 * only to ports that joined the group, so an observer that merely captures would see nothing.
 */
export async function floodMulticast(lab: NamespaceLab): Promise<void> {
  await sh('ip', ['-n', lab.switchNetns, 'link', 'set', 'br0', 'type', 'bridge', 'mcast_snooping', '0']);
}
