// What the monitoring files ship, read as the tests need it: the dashboard's panels and queries,
// the alerting rules' expressions, and the metric names a PromQL expression reads.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const deploy = join(import.meta.dirname, '..', '..', 'deploy');
export const DASHBOARD_FILE = join(deploy, 'grafana', 'vrrpd-dashboard.json');
export const RULES_FILE = join(deploy, 'prometheus', 'vrrpd-alerts.yaml');

export interface DashboardTarget {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat?: string;
  readonly instant?: boolean;
  readonly datasource?: { readonly type?: string; readonly uid?: string };
}

export interface DashboardPanel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly datasource?: { readonly type?: string; readonly uid?: string };
  readonly targets?: readonly DashboardTarget[];
  readonly options?: Record<string, unknown>;
  readonly fieldConfig?: { readonly defaults: Record<string, unknown> & { readonly custom?: Record<string, unknown> }; readonly overrides: readonly unknown[] };
}

export interface DashboardVariable {
  readonly type: string;
  readonly name: string;
  readonly query?: string;
  readonly allValue?: string;
}

export interface DashboardJson {
  readonly panels: readonly DashboardPanel[];
  readonly templating: { readonly list: readonly DashboardVariable[] };
}

export function readDashboard(): DashboardJson {
  return JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as DashboardJson;
}

/** Every panel query, with the panel it belongs to. */
export function dashboardQueries(dashboard: DashboardJson): Array<{ panel: DashboardPanel; target: DashboardTarget }> {
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel, target })));
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
}

/** The alerting rules of the shipped file. */
export function readRules(): AlertRule[] {
  const parsed = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: Array<{ rules: AlertRule[] }> };
  return parsed.groups.flatMap((group) => group.rules);
}

/** A Prometheus duration ("1m", "30s", "1m30s") in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(n) * units[unit!]!;
  if (total === 0 && text !== '0s') throw new Error(`not a duration: ${text}`);
  return total;
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression (or a Grafana label_values() query) reads: identifiers left
 * once strings, label matchers, ranges, grouping lists and function names are taken out.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    // label_values(metric, label): the label is no metric.
    .replace(/label_values\(([^,()]+),[^)]*\)/g, ' $1 ')
    .replace(/\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, word, call] = match;
    if (call || !word || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

/** Grafana's variables replaced as Grafana does for "All" and a fixed interval, so Prometheus can run the query. */
export function substituteGrafanaVariables(expr: string, dashboard: DashboardJson, interval: string, range: string): string {
  let out = expr.replace(/\$__rate_interval|\$__interval/g, interval).replace(/\$__range/g, range);
  for (const variable of dashboard.templating.list) {
    if (variable.allValue !== undefined) out = out.replaceAll(`$${variable.name}`, variable.allValue);
  }
  return out;
}
