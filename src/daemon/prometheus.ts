// The Prometheus text exposition format (0.0.4) that every subsystem's metrics() writes: families
// of samples, each with its HELP and TYPE lines.

export type Labels = Readonly<Record<string, string | number>>;

export interface MetricFamily {
  readonly name: string;
  readonly type: 'gauge' | 'counter';
  readonly help: string;
  readonly samples: Array<{ readonly labels: Labels; readonly value: number }>;
}

/** Families in the order they were made, rendered together. */
export class MetricFamilies {
  private readonly families: MetricFamily[] = [];

  family(name: string, type: MetricFamily['type'], help: string): MetricFamily {
    const created: MetricFamily = { name, type, help, samples: [] };
    this.families.push(created);
    return created;
  }

  render(): string {
    return this.families.map(renderFamily).join('\n') + '\n';
  }
}

/** Label values escape backslash, double quote and newline (exposition format). */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function renderFamily(family: MetricFamily): string {
  const lines = [`# HELP ${family.name} ${family.help}`, `# TYPE ${family.name} ${family.type}`];
  for (const { labels, value } of family.samples) {
    const entries = Object.entries(labels);
    const text = entries.length === 0 ? '' : `{${entries.map(([key, v]) => `${key}="${escapeLabel(String(v))}"`).join(',')}}`;
    lines.push(`${family.name}${text} ${Number.isFinite(value) ? String(value) : 'NaN'}`);
  }
  return lines.join('\n');
}
