// Names the kernel has to accept.
import type { IssueSink } from './issues.js';
import { MAX_INTERFACE_NAME_LENGTH } from './limits.js';

/**
 * Linux refuses interface names longer than IFNAMSIZ - 1, "." and "..", and names with "/", ":"
 * or white space (dev_valid_name); a typo here otherwise surfaces only when the daemon starts.
 */
export function checkInterfaceName(name: string, path: string, keyword: string, report: IssueSink): void {
  if (name.length > MAX_INTERFACE_NAME_LENGTH) {
    report.error(path, `${keyword} ${name} is too long: Linux interface names have at most ${MAX_INTERFACE_NAME_LENGTH} characters`);
  } else if (name === '' || name === '.' || name === '..' || /[/:\s]/.test(name)) {
    report.error(path, `${keyword} "${name}" is not a valid interface name: it must be 1..${MAX_INTERFACE_NAME_LENGTH} characters without "/", ":" or spaces`);
  }
}
