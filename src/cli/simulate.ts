// `vrrpd simulate`: runs a scenario on the simulated LAN (the real protocol core, a virtual
// clock, no Linux) and prints what each router did, to the tick.
import { readFileSync } from 'node:fs';
import { DEMO_SCENARIO } from '../sim/demo.js';
import { formatSummary, formatTrace, runScenario, type Scenario, type TraceKind } from '../sim/scenario.js';
import { UsageError } from './errors.js';

export interface SimulateOptions {
  readonly scenario?: string;
  readonly show?: string;
}

const TRACE_KINDS: readonly TraceKind[] = ['transition', 'add-addresses', 'remove-addresses', 'announce-addresses', 'send-advertisement'];

export function simulate(options: SimulateOptions, write: (text: string) => void): void {
  const scenario = options.scenario ? readScenario(options.scenario) : DEMO_SCENARIO;
  const show = options.show ? parseShow(options.show) : scenario.show;
  write(`${scenario.description}\n\n`);
  const lan = runScenario(scenario);
  write(formatTrace(lan.trace, show));
  write(formatSummary(lan));
}

function readScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read scenario ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    return JSON.parse(text) as Scenario;
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON: ${(error as Error).message}`);
  }
}

function parseShow(list: string): TraceKind[] {
  return list.split(',').map((kind) => {
    const found = TRACE_KINDS.find((known) => known === kind.trim());
    if (!found) throw new UsageError(`--show: unknown kind "${kind}", expected some of ${TRACE_KINDS.join(', ')}`);
    return found;
  });
}
