// `runbook parse FILE [--json]`: prints the model of a runbook (its text shown inert: a runbook is not trusted).
import { loadRunbook } from '../../main/runbook/index.js';
import { formatSummary } from '../summary.js';
import { forTerminal } from '../terminal-output.js';

export async function parseCommand(file: string, options: { json?: boolean }): Promise<void> {
  const runbook = await loadRunbook(file);
  process.stdout.write(options.json ? `${JSON.stringify(runbook, null, 2)}\n` : `${forTerminal(formatSummary(runbook))}\n`);
}
