// The settings screen's calls and the target picker, through dispatch (the door both hosts use):
// preferences are validated and kept, keys are described by their public parts only, and a block can be
// re-bound to another target of the right kind — recorded in the journal, refused for the wrong kind.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../../src/main/api/dispatch.js';
import type { RunState } from '../../src/shared/run-api.js';
import { HAVE_SSH_AGENT, HAVE_SSH_KEYGEN, makeKey, skipReason, startAgent } from '../audit/ssh-tools.js';
import { testHandlers } from '../support/handlers.js';
import { eventsUntil } from '../support/run-events.js';

const RUNBOOK = `# Picker
- [ ] Where am I
  \`\`\`bash
  pwd
  \`\`\`
- [ ] Query
  \`\`\`sql
  select 1
  \`\`\`
`;

describe('settings API', () => {
  it('keeps the operator and the export key, clears them on null, and refuses an invalid value naming the field', async () => {
    const { handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call = (method: string, input: unknown) => dispatch(handlers, method, input) as Promise<any>;
    expect(await call('settings.get', {})).toMatchObject({ operator: null, exportKey: null, journalDir: null });
    const saved = await call('settings.save', { operator: '  Alice Operator ', exportKey: { kind: 'file', path: '/keys/alice' } });
    expect(saved).toMatchObject({ operator: 'Alice Operator', exportKey: { kind: 'file', path: '/keys/alice' } });
    expect(JSON.parse(readFileSync(saved.file, 'utf8'))).toMatchObject({ operator: 'Alice Operator' });
    await expect(call('settings.save', { exportKey: { kind: 'file' } })).rejects.toThrow(/exportKey/);
    await expect(call('settings.save', { operator: 'x'.repeat(201) })).rejects.toThrow(/operator/);
    expect(await call('settings.get', {})).toMatchObject({ operator: 'Alice Operator' }); // nothing lost
    expect(await call('settings.save', { operator: null })).toMatchObject({ operator: null, exportKey: { kind: 'file' } });
  });

  it('describes the installation key by its public parts and says where MAC keys live; no agent is reported as such', async () => {
    const { handlers, root } = testHandlers({ host: 'browser', version: 'test', agentSocket: path.join(tmpdir(), 'no-such-agent.sock') });
    const info = await dispatch(handlers, 'keys.info', {}) as any;
    expect(info.installation.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(info.installation.publicKey).toMatch(/^ssh-ed25519 /);
    expect(readFileSync(info.installation.file, 'utf8').trim()).toBe(info.installation.publicKey);
    expect(info.macKeys).toContain(root);
    expect(info.agent.keys).toEqual([]);
    expect(info.agent.error).toMatch(/no-such-agent\.sock/);
    expect(JSON.stringify(info)).not.toMatch(/PRIVATE KEY/);
  });

  it('the installation key: its fingerprint is ssh-keygen -lf\'s, with the verify --pin command; the call that made the key says so, later ones do not, and the run it seals names it', async () => {
    if (skipReason('installation key fingerprint', HAVE_SSH_KEYGEN)) return;
    const { handlers, root } = testHandlers({ host: 'browser', version: 'test' });
    const first = (await dispatch(handlers, 'keys.info', {})) as any;
    const pin = spawnSync('ssh-keygen', ['-lf', first.installation.file], { encoding: 'utf8' }).stdout.split(' ')[1];
    expect(first.installation).toMatchObject({ fingerprint: pin, file: path.join(root, 'keys', 'installation_ed25519.pub'), verifyCommand: `runbook verify RUN_DIR --pin ${pin}`, created: true });
    expect(((await dispatch(handlers, 'keys.info', {})) as any).installation).toMatchObject({ fingerprint: pin, created: false });
    writeFileSync(path.join(root, 'rb.md'), '# t\n- [ ] a\n  ```bash\n  echo a\n  ```\n');
    await dispatch(handlers, 'runbook.open', { path: path.join(root, 'rb.md') });
    const state = (await dispatch(handlers, 'runs.start', { profile: 'standard', operator: 'Alice', vars: {} })) as any;
    expect(state.installationKey).toEqual({ fingerprint: pin, publicKeyFile: first.installation.file, verifyCommand: `runbook verify RUN_DIR --pin ${pin}`, created: false });

    // A first run that makes the key says so in its state (the evidence panel shows the fingerprint for the ticket).
    const other = testHandlers({ host: 'browser', version: 'test' });
    writeFileSync(path.join(other.root, 'rb.md'), '# t\n- [ ] a\n  ```bash\n  echo a\n  ```\n');
    await dispatch(other.handlers, 'runbook.open', { path: path.join(other.root, 'rb.md') });
    const made = (await dispatch(other.handlers, 'runs.start', { profile: 'standard', operator: 'Alice', vars: {} })) as any;
    const madePin = spawnSync('ssh-keygen', ['-lf', path.join(other.root, 'keys', 'installation_ed25519.pub')], { encoding: 'utf8' }).stdout.split(' ')[1];
    expect(made.installationKey).toMatchObject({ fingerprint: madePin, created: true });
    expect(((await dispatch(other.handlers, 'keys.info', {})) as any).installation).toMatchObject({ fingerprint: madePin, created: false });
  });

  it('lists the keys ssh-agent offers', async () => {
    if (skipReason('keys.info with ssh-agent', HAVE_SSH_AGENT)) return;
    const dir = mkdtempSync(path.join(tmpdir(), 'keys-agent-'));
    const key = makeKey(dir, 'bob_ed25519', 'ed25519');
    const agent = await startAgent(dir);
    try {
      agent.add(key.file);
      const { handlers } = testHandlers({ host: 'browser', version: 'test', agentSocket: agent.socket });
      const info = await dispatch(handlers, 'keys.info', {}) as any;
      expect(info.agent.error).toBeNull();
      expect(info.agent.keys).toEqual([expect.objectContaining({ type: 'ssh-ed25519', publicKey: expect.stringContaining(key.publicKeyLine.split(' ')[1] as string) })]);
    } finally {
      await agent.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runbook.pick: a native dialog where the host has one, and says so where it has none', async () => {
    expect(await dispatch(testHandlers({ host: 'browser', version: 'test' }).handlers, 'runbook.pick', {})).toEqual({ supported: false, path: null });
    const desktop = testHandlers({ host: 'electron', version: 'test', pickFile: async () => '/srv/runbooks/change.md' });
    expect(await dispatch(desktop.handlers, 'runbook.pick', {})).toEqual({ supported: true, path: '/srv/runbooks/change.md' });
  });

  it('app.notify says no desktop notification was shown where the host has none', async () => {
    const { handlers } = testHandlers({ host: 'browser', version: 'test' });
    expect(await dispatch(handlers, 'app.notify', { title: 'Due', body: 'Monitor for 15 minutes is over' })).toEqual({ shown: false });
    const shown: string[] = [];
    const desktop = testHandlers({ host: 'electron', version: 'test', notify: (title, body) => shown.push(`${title}: ${body}`) > 0 });
    expect(await dispatch(desktop.handlers, 'app.notify', { title: 'Due', body: 'now' })).toEqual({ shown: true });
    expect(shown).toEqual(['Due: now']);
  });
});

describe('target picker (runs.bind)', () => {
  it('offers the targets of the right kind, re-binds a block, records it, and runs it there', async () => {
    const { root, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const call = (method: string, input: unknown) => dispatch(handlers, method, input) as Promise<any>;
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'picker-cwd-'));
    await call('targets.save', {
      targets: {
        targets: {
          'build-dir': { kind: 'local', cwd: elsewhere },
          db: { kind: 'postgres', host: '127.0.0.1', database: 'app', user: 'app' },
        },
      },
    });
    const file = path.join(root, 'picker.md');
    writeFileSync(file, RUNBOOK);
    await call('runbook.open', { path: file });
    const state: RunState = await call('runs.start', { profile: 'standard', operator: 'Alice', vars: {} });
    const [where, query] = state.steps;
    if (!where || !query) throw new Error('two steps expected');
    const shellBlock = Object.keys(where.choices)[0] as string;
    const sqlBlock = Object.keys(query.choices)[0] as string;
    expect(where.choices[shellBlock]).toEqual(['local', 'build-dir']);
    expect(query.choices[sqlBlock]).toEqual(['db']);
    // The sql block has no default target: unbound, listed as a problem, and not called manual.
    expect(query.manual).toBeNull();
    expect(state.problems.join('\n')).toMatch(/sql block has no target/);

    await expect(call('runs.bind', { runId: state.runId, stepId: where.id, blockId: shellBlock, target: 'db' })).rejects.toThrow(/postgres target; a shell block runs on local or ssh or kubernetes/);
    await expect(call('runs.bind', { runId: state.runId, stepId: where.id, blockId: shellBlock, target: 'nope' })).rejects.toThrow(/no target named "nope"/);

    const bound: RunState = await call('runs.bind', { runId: state.runId, stepId: where.id, blockId: shellBlock, target: 'build-dir' });
    expect(bound.steps[0]?.targets[shellBlock]).toEqual({ name: 'build-dir', kind: 'local', endpoint: 'this machine' });
    const sqlBound: RunState = await call('runs.bind', { runId: state.runId, stepId: query.id, blockId: sqlBlock, target: 'db' });
    expect(sqlBound.problems.join('\n')).not.toMatch(/no target/);

    await call('runs.runStep', { runId: state.runId, stepId: where.id });
    const { events } = await eventsUntil(call, state.runId, -1, (e) => e.type === 'step' && e.stepId === where.id && e.status !== 'running');
    const output = events.flatMap((e) => (e.type === 'output' && e.stream === 'stdout' ? [e.data] : [])).join('');
    expect(output.trim()).toBe(elsewhere);

    const journal = readFileSync(path.join(bound.dir, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const note = journal.find((r) => r.type === 'step.note' && r.data.binding?.target === 'build-dir');
    expect(note?.data).toMatchObject({ step: { id: where.id }, binding: { block: shellBlock, kind: 'local' }, by: 'Alice' });
    const started = journal.find((r) => r.type === 'step.started');
    expect(JSON.stringify(started.data)).toContain('build-dir');
    rmSync(elsewhere, { recursive: true, force: true });
  });
});
