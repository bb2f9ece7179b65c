// The Prometheus text exposition format (0.0.4) the subsystems' metrics are written in.

export type Labels = Readonly<Record<string, string | number>>;

export interface Family {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly samples: Array<{ readonly labels: Labels; readonly value: number }>;
}

/** Label values escape backslash, double quote and newline (exposition format). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderFamily(family: Family): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const { labels, value } of family.samples) {
    const entries = Object.entries(labels);
    const text = entries.length === 0 ? '' : `{${entries.map(([key, v]) => `${key}="${escapeLabel(String(v))}"`).join(',')}}`;
    lines.push(`${family.name}${text} ${Number.isFinite(value) ? String(value) : 'NaN'}`);
  }
  return lines.join('\n');
}

/** Families made in order through `family`, rendered together. */
export function familyList(): { family(name: string, type: Family['type'], help: string): Family; render(): string } {
  const families: Family[] = [];
  return {
    family(name, type, help) {
      const created: Family = { name, type, help, samples: [] };
      families.push(created);
      return created;
    },
    render: () => (families.length === 0 ? '' : families.map(renderFamily).join('\n') + '\n'),
  };
}
