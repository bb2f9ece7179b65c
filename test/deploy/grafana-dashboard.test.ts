// deploy/grafana/vrrpd-dashboard.json against Grafana's dashboard schema. No Grafana package is
// reachable here (not in Debian, not on npm), so the check is the schema Grafana publishes as
// @grafana/schema (TypeScript types generated from its CUE kinds: the dashboard, and each panel
// plugin's options and field config): the dashboard is written into a TypeScript file as a literal
// and compiled with `satisfies`, so a misspelt key, a wrong enum value or a missing required
// option is a compile error. Plus what the schema cannot say: unique ids, a 24-column grid without
// overlaps, every query on the datasource variable. That each query reads metrics vrrpd exports
// and returns data from a real Prometheus is in monitoring-lab.test.ts.
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, test } from 'vitest';
import { scratchDir } from '../helpers/scratch.js';
import { dashboardQueries, metricNames, readDashboard, type DashboardJson } from './monitoring.js';

const root = join(import.meta.dirname, '..', '..');
const scratch = scratchDir('dashboard');
// Module resolution walks up from the checked file: give it the checkout's node_modules.
symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Each panel type the dashboard uses: its @grafana/schema module, and whether it has a field config of its own. */
const PANEL_SCHEMAS: Record<string, { module: string; fieldConfig: boolean }> = {
  timeseries: { module: 'timeseries/panelcfg/x/TimeSeriesPanelCfg_types.gen', fieldConfig: true },
  stat: { module: 'stat/panelcfg/x/StatPanelCfg_types.gen', fieldConfig: false },
  'state-timeline': { module: 'statetimeline/panelcfg/x/StateTimelinePanelCfg_types.gen', fieldConfig: true },
  bargauge: { module: 'bargauge/panelcfg/x/BarGaugePanelCfg_types.gen', fieldConfig: false },
  table: { module: 'table/panelcfg/x/TablePanelCfg_types.gen', fieldConfig: true },
};

/**
 * The TypeScript source that states the dashboard satisfies the schema. The schema's types use
 * TypeScript enums, which a JSON string or number cannot be; Json<T> turns each enum into the union
 * of its values (`${E}`), as JSON holds them.
 */
function schemaCheckSource(dashboard: DashboardJson): string {
  const types = [...new Set(dashboard.panels.map((panel) => panel.type))].filter((type) => type !== 'row');
  const lines = [
    "import type { Dashboard } from '@grafana/schema';",
    ...types.map((type, i) => {
      const schema = PANEL_SCHEMAS[type];
      if (!schema) throw new Error(`panel type ${type} has no schema here: add it to PANEL_SCHEMAS`);
      return `import type * as schema${i} from '@grafana/schema/dist/esm/raw/composable/${schema.module}';`;
    }),
    'type Json<T> = T extends string ? `${T}`',
    '  : T extends number ? (`${T}` extends `${infer N extends number}` ? N : never)',
    '  : T extends boolean | null | undefined ? T',
    '  : T extends ReadonlyArray<infer U> ? Array<Json<U>>',
    '  : T extends object ? { [K in keyof T]: Json<T[K]> }',
    '  : T;',
    // Grafana's Prometheus query model (its dataquery schema), as far as this dashboard uses it.
    "interface PrometheusQuery { refId: string; datasource: { type: 'prometheus'; uid: string }; expr: string; legendFormat: string;",
    "  range: boolean; instant: boolean; editorMode: 'code' | 'builder'; format?: 'time_series' | 'table' | 'heatmap'; interval?: string; exemplar?: boolean; hide?: boolean }",
    `export const dashboard = ${JSON.stringify(dashboard)} satisfies Json<Dashboard>;`,
  ];
  for (const panel of dashboard.panels) {
    if (panel.type === 'row') continue;
    const i = types.indexOf(panel.type);
    const custom = PANEL_SCHEMAS[panel.type]!.fieldConfig ? `custom: Json<schema${i}.FieldConfig>` : 'custom?: never';
    const parts = { options: panel.options ?? {}, custom: panel.fieldConfig?.defaults.custom, targets: panel.targets ?? [] };
    lines.push(`export const panel_${panel.id} = ${JSON.stringify(parts)} satisfies { options: Json<schema${i}.Options>; ${custom}; targets: PrometheusQuery[] };`);
  }
  return lines.join('\n') + '\n';
}

/** Compiles the check; returns the compiler's complaints (none when the dashboard fits the schema). */
function schemaErrors(dashboard: DashboardJson, name: string): string[] {
  const file = join(scratch, `${name}.mts`);
  writeFileSync(file, schemaCheckSource(dashboard));
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('Grafana dashboard', () => {
  const dashboard = readDashboard();

  test('fits Grafana\'s dashboard schema and each panel plugin\'s options schema (@grafana/schema)', { timeout: 120_000 }, () => {
    expect(schemaErrors(dashboard, 'shipped')).toEqual([]);
  });

  test('the schema check can fail: a wrong draw style, a misspelt key, a stat panel without its reduce options', { timeout: 120_000 }, () => {
    const copy = JSON.parse(JSON.stringify(dashboard)) as { panels: Array<Record<string, unknown> & { type: string; fieldConfig?: { defaults: { custom?: Record<string, unknown> } }; options?: Record<string, unknown> }> } & Record<string, unknown>;
    const timeseries = copy.panels.find((panel) => panel.type === 'timeseries')!;
    timeseries.fieldConfig!.defaults.custom!['drawStyle'] = 'lines';
    copy['refesh'] = '30s';
    delete copy.panels.find((panel) => panel.type === 'stat')!.options!['reduceOptions'];
    const errors = schemaErrors(copy as unknown as DashboardJson, 'broken').join('\n');
    expect(errors).toContain('"lines"');
    expect(errors).toContain(`'"refesh"' does not exist`);
    expect(errors).toContain("'reduceOptions' is missing");
  });

  test('panels: unique ids, inside 24 columns, no two overlapping', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row++) {
        for (let column = x; column < x + w; column++) {
          const key = `${column},${row}`;
          expect(cells.get(key), `${panel.title} overlaps`).toBeUndefined();
          cells.set(key, panel.title);
        }
      }
    }
  });

  test('every query uses the datasource variable and only variables the dashboard defines', () => {
    const names = new Set(dashboard.templating.list.map((variable) => variable.name));
    expect(names).toEqual(new Set(['datasource', 'job', 'instance', 'vrid']));
    const queries = dashboardQueries(dashboard);
    expect(queries.length).toBeGreaterThanOrEqual(10);
    for (const { panel, target } of queries) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(target.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const [, used] of target.expr.matchAll(/\$(\w+)/g)) {
        if (!used!.startsWith('__')) expect(names, `${panel.title}: $${used}`).toContain(used);
      }
      expect(metricNames(target.expr).length, `${panel.title}: ${target.expr}`).toBeGreaterThan(0);
    }
  });

  test('what the issue asks to see: state per VRID, priority, transitions, advertisement rate, rejections by reason, tracker state', () => {
    const read = new Set(dashboardQueries(dashboard).flatMap(({ target }) => metricNames(target.expr)));
    for (const name of [
      'vrrpd_instance_state',
      'vrrpd_effective_priority',
      'vrrpd_transitions_total',
      'vrrpd_advertisements_sent_total',
      'vrrpd_advertisements_received_total',
      'vrrpd_advertisements_rejected_total',
      'vrrpd_tracker_ok',
    ]) {
      expect(read).toContain(name);
    }
  });

  test('metric names are found in PromQL, not labels, functions or variables', () => {
    expect(metricNames('sum by (instance, reason) (rate(vrrpd_advertisements_rejected_total{job=~"$job",reason!="ttl"}[$__rate_interval])) > 0')).toEqual(['vrrpd_advertisements_rejected_total']);
    expect(metricNames('vrrpd_tracker_ok{a="b"} + 2 * vrrpd_tracker_fault == bool 2')).toEqual(['vrrpd_tracker_ok', 'vrrpd_tracker_fault']);
    expect(metricNames('label_values(vrrpd_instance_state{job=~"$job"}, instance)')).toEqual(['vrrpd_instance_state']);
    expect(metricNames('count by (vrid) (x == 2) unless on (vrid) count by (vrid) (y)')).toEqual(['x', 'y']);
  });
});
