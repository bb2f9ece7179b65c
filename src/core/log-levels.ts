// The log levels `--log-level` takes, without loading the logger (the CLI parses its options before
// it knows whether it will log at all).
import type { LevelWithSilent } from 'pino';

export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
