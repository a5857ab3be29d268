// Start values are journaled ("never a secret, nor a value holding a known secret"): the other paths a value
// takes into the journal (a value given on a step, a target's env) keep secrets out too.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { testHandlers } from '../support/handlers.js';
import type { ApiCall } from '../support/run-events.js';
import { setLockHolder } from '../support/stale-lock.js';

const RUNBOOK = `---
variables:
  API_TOKEN:
    secret: true
---
# Deploy

## Auth

- [ ] Log in
  \`\`\`bash
  test -n "$API_TOKEN" && echo ok
  \`\`\`

## Fetch

- [ ] Fetch the artefact
  \`\`\`bash
  echo "fetching from $SOURCE_URL"
  \`\`\`
`;

async function start(vars: Record<string, string>, targets?: Record<string, unknown>, text = RUNBOOK) {
  const h = testHandlers({ host: 'browser', version: 'test' });
  const call: ApiCall = (m, i) => dispatch(h.handlers, m, i) as Promise<any>;
  if (targets) await call('targets.save', { targets: { targets } });
  writeFileSync(path.join(h.root, 'rb.md'), text);
  await call('runbook.open', { path: path.join(h.root, 'rb.md') });
  const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars });
  const journalText = () => readFileSync(path.join(state.dir, 'journal.jsonl'), 'utf8');
  return { ...h, call, state, runId: state.runId, journalText };
}

describe('secrets and the journaled values', () => {
  it('control: a value holding the secret given at the start is journaled as null in run.started', async () => {
    const { journalText } = await start({ API_TOKEN: 'tok-9f8e7d6c', SOURCE_URL: 'https://ci:tok-9f8e7d6c@artefacts.example' });
    expect(journalText()).not.toContain('tok-9f8e7d6c');
  });

  it('the same value given on a step (runs.setVariables) is masked in its fillin', async () => {
    const { call, state, runId, journalText } = await start({ API_TOKEN: 'tok-9f8e7d6c' });
    const fetch = state.steps.find((s) => s.id.startsWith('fetch/'))?.id as string;
    await call('runs.setVariables', { runId, stepId: fetch, values: { SOURCE_URL: 'https://ci:tok-9f8e7d6c@artefacts.example' } });
    expect(journalText(), 'the secret reached the journal through a fillin').not.toContain('tok-9f8e7d6c');
  });

  it('a value from a target\'s env (settings) is not journaled in run.started', async () => {
    const text = '# Db\n\n- [ ] Migrate\n  ```bash\n  echo "migrating $DATABASE_URL"\n  ```\n';
    const { journalText } = await start({}, { local: { kind: 'local', env: { DATABASE_URL: 'postgres://app:Hunter2-db-pw@db.internal/app' } } }, text);
    const started = JSON.parse(journalText().split('\n')[0] as string);
    expect.soft(started.data.variables).toEqual([{ name: 'DATABASE_URL', secret: false, source: 'target env', value: null }]);
    expect(journalText(), 'a credential inside a target env value is in run.started').not.toContain('Hunter2-db-pw');
  });

  it('control: Resume gives no secret back and the secret never reaches run.resumed', async () => {
    const { state, root, journalText } = await start({ API_TOKEN: 'tok-9f8e7d6c', SOURCE_URL: 'plain' });
    setLockHolder(state.dir);
    const b = testHandlers({ host: 'browser', version: 'test', root });
    const callB: ApiCall = (m, i) => dispatch(b.handlers, m, i) as Promise<any>;
    const resumed: RunState = await callB('runs.resume', { runId: state.runId, operator: 'Bob' });
    expect(resumed.steps.find((s) => s.id.startsWith('auth/'))?.missingValues).toEqual([{ name: 'API_TOKEN', secret: true }]);
    expect(resumed.steps.find((s) => s.id.startsWith('fetch/'))?.missingValues).toEqual([]);
    expect(journalText()).not.toContain('tok-9f8e7d6c');
  });
});
