// `vrrpd run` on a configuration model read from a JSON file, for lab tests of subsystems whose
// keywords the loaders do not read yet: node run-model.mjs MODEL.json CONTROL_SOCKET
import { readFileSync } from 'node:fs';
import { runConfig } from '../../dist/cli/run.js';

const [file, controlSocket] = process.argv.slice(2);
if (!file || !controlSocket) throw new Error('usage: run-model.mjs MODEL.json CONTROL_SOCKET');
process.exitCode = await runConfig(JSON.parse(readFileSync(file, 'utf8')), { file, controlSocket });
