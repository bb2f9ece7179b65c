// Model paths name a place in the configuration model: `instances[VI_1].virtualAddresses[0]`.
// Validation reports issues by path and loaders record a path -> file position map, so both must
// spell paths the same way. The grammar: a root field, then `.field` or `[name-or-index]` steps;
// names inside brackets are taken verbatim (they may contain dots).

export const instancePath = (name: string): string => `instances[${name}]`;
export const scriptPath = (name: string): string => `scripts[${name}]`;
export const trackFilePath = (name: string): string => `trackFiles[${name}]`;
export const trackProcessPath = (name: string): string => `trackProcesses[${name}]`;
export const syncGroupPath = (name: string): string => `syncGroups[${name}]`;
export const bfdInstancePath = (name: string): string => `bfdInstances[${name}]`;

/** The proper prefixes of a path, longest first: `a[x.y].b` gives `a[x.y]`, then `a`. */
export function parentPaths(path: string): string[] {
  const cuts: number[] = [];
  let depth = 0;
  for (let i = 0; i < path.length; i++) {
    const char = path[i];
    if (char === '[') {
      if (depth === 0 && i > 0) cuts.push(i);
      depth++;
    } else if (char === ']') {
      depth = Math.max(0, depth - 1);
    } else if (char === '.' && depth === 0 && i > 0) {
      cuts.push(i);
    }
  }
  return cuts.reverse().map((cut) => path.slice(0, cut));
}
