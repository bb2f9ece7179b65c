// `vrrpd check`'s advice on check scripts: a vrrp_script whose script is a plain curl or nc check
// gets a note at its `script` line with the built-in checker that does the same in vrrpd's own
// process (scripting/checker-suggestion.ts), ready to paste in place of the script line.
import { locateIssues, type ConfigIssue } from '../config/issues.js';
import type { LoadResult } from '../config/load.js';
import { scriptPath } from '../config/paths.js';
import { suggestChecker } from '../scripting/checker-suggestion.js';

export function checkerNotes(result: LoadResult): LoadResult {
  const notes: ConfigIssue[] = [];
  for (const script of result.config.scripts) {
    if (script.checker || script.script.trim() === '') continue;
    const suggestion = suggestChecker(script.script);
    if (!suggestion) continue;
    const every = script.intervalMs >= 1000 ? `${script.intervalMs / 1000} s` : `${script.intervalMs} ms`;
    const program = suggestion.type === 'TCP_CHECK' || suggestion.type === 'UDP_CHECK' ? 'nc' : 'curl';
    notes.push({
      severity: 'note',
      path: `${scriptPath(script.name)}.script`,
      message:
        `vrrp_script ${script.name} starts ${program} every ${every}; the built-in ${suggestion.type} does the same check inside vrrpd, with no process per run. In place of the script line:\n` +
        suggestion.block.map((line) => `    ${line}`).join('\n') +
        suggestion.notes.map((note) => `\n  (${note})`).join(''),
    });
  }
  return notes.length === 0 ? result : { ...result, issues: [...result.issues, ...locateIssues(notes, result.sourceMap ?? new Map())] };
}
