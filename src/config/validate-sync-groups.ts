// vrrp_sync_group: members exist, belong to one group only, and can move together.
import { OWNER_PRIORITY } from './limits.js';
import { syncGroupPath } from './paths.js';
import { validateGroupWeights, validateTrackingLists } from './validate-tracking.js';
import type { ValidationContext } from './validation-context.js';

export function validateSyncGroups(ctx: ValidationContext): void {
  const { config, report } = ctx;
  const groupNames = new Set<string>();
  const groupOf = new Map<string, string>();
  for (const group of config.syncGroups) {
    const at = syncGroupPath(group.name);
    if (groupNames.has(group.name)) report.error(at, `vrrp_sync_group ${group.name} is defined twice: names must be unique`);
    groupNames.add(group.name);
    if (group.members.length === 0) report.warning(`${at}.members`, `vrrp_sync_group ${group.name} has no members; it is ignored`);

    const here = new Set<string>();
    group.members.forEach((member, index) => {
      const path = `${at}.members[${index}]`;
      if (!ctx.instances.has(member)) report.error(path, `vrrp_sync_group ${group.name} names ${member}, which is not a vrrp_instance`);
      if (here.has(member)) {
        report.warning(path, `${member} is listed twice in vrrp_sync_group ${group.name}; the second is redundant`);
        return;
      }
      here.add(member);
      // keepalived keeps an instance in its first group and ignores the later mentions.
      const previous = groupOf.get(member);
      if (previous !== undefined) report.error(path, `${member} is already in vrrp_sync_group ${previous}: an instance can be in one sync group only`);
      else groupOf.set(member, group.name);
    });

    // An owner is Master whenever it runs, so a group mixing owners and others cannot move as one.
    const members = group.members.flatMap((member) => ctx.instances.get(member) ?? []);
    const owners = members.filter((instance) => instance.priority === OWNER_PRIORITY).map((instance) => instance.name);
    const others = members.filter((instance) => instance.priority !== OWNER_PRIORITY).map((instance) => instance.name);
    if (owners.length > 0 && others.length > 0) {
      report.warning(
        `${at}.members`,
        `vrrp_sync_group ${group.name} mixes address owners (${owners.join(', ')}) with other instances (${others.join(', ')}): the owners are always Master, so the group cannot change state together`,
      );
    }

    validateTrackingLists(group, at, ctx);
    validateGroupWeights(group, ctx);
  }
}
