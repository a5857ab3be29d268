// Open Recent: newest first, each file once, at most 20, recorded whenever a runbook opens without error.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OpenedRunbook } from '../../src/shared/api.js';
import { MAX_RECENT_RUNBOOKS } from '../../src/shared/settings.js';
import type { ApiHandlers } from '../../src/main/api/dispatch.js';
import { openConfSettings } from '../../src/main/settings/conf-store.js';
import {
  addRecentRunbook,
  clearRecentRunbooks,
  forgetRunbook,
  recordingRecentRunbooks,
  rememberRunbook,
  removeRecentRunbook,
} from '../../src/main/desktop/recent-runbooks.js';

describe('recent runbooks list', () => {
  it('puts the newest first and moves a reopened file to the front', () => {
    let list: string[] = [];
    for (const f of ['/r/a.md', '/r/b.md', '/r/c.md', '/r/a.md']) list = addRecentRunbook(list, f);
    expect(list).toEqual(['/r/a.md', '/r/c.md', '/r/b.md']);
  });

  it('keeps absolute paths, so the same file given relatively is not listed twice', () => {
    const list = addRecentRunbook([path.resolve('runbooks/x.md')], 'runbooks/x.md');
    expect(list).toEqual([path.resolve('runbooks/x.md')]);
  });

  it(`keeps at most ${MAX_RECENT_RUNBOOKS}, dropping the oldest`, () => {
    let list: string[] = [];
    for (let i = 0; i < 25; i++) list = addRecentRunbook(list, `/r/${i}.md`);
    expect(list).toHaveLength(MAX_RECENT_RUNBOOKS);
    expect(list[0]).toBe('/r/24.md');
    expect(list.at(-1)).toBe('/r/5.md');
  });

  it('removes one entry', () => {
    expect(removeRecentRunbook(['/r/a.md', '/r/b.md'], '/r/a.md')).toEqual(['/r/b.md']);
  });

  it('is kept in the settings file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'recent-'));
    const settings = openConfSettings({ cwd: dir });
    rememberRunbook(settings, '/r/a.md');
    rememberRunbook(settings, '/r/b.md');
    expect(openConfSettings({ cwd: dir }).read().recentRunbooks).toEqual(['/r/b.md', '/r/a.md']);
    expect(forgetRunbook(settings, '/r/b.md')).toEqual(['/r/a.md']);
    expect(clearRecentRunbooks(settings)).toEqual([]);
    expect(openConfSettings({ cwd: dir }).read().recentRunbooks).toEqual([]);
  });
});

describe('recording opened runbooks', () => {
  const runbook = { title: 'T' } as unknown as NonNullable<OpenedRunbook['runbook']>;
  const handlersAnswering = (answer: OpenedRunbook) => ({ 'runbook.open': async () => answer }) as unknown as ApiHandlers;

  it('records a runbook that opened, as an absolute path, and passes the answer through', async () => {
    const recorded: string[] = [];
    const answer = { runbook, error: null };
    const handlers = recordingRecentRunbooks(handlersAnswering(answer), (f) => recorded.push(f), () => {});
    expect(await handlers['runbook.open']({ path: 'runbooks/a.md' })).toBe(answer);
    expect(recorded).toEqual([path.resolve('runbooks/a.md')]);
  });

  it('records nothing when the runbook could not be opened', async () => {
    const recorded: string[] = [];
    const handlers = recordingRecentRunbooks(
      handlersAnswering({ runbook, error: { file: '/r/bad.md', line: 1, message: 'bad' } }),
      (f) => recorded.push(f),
      () => {},
    );
    await handlers['runbook.open']({ path: '/r/bad.md' });
    expect(recorded).toEqual([]);
  });

  it('never fails the open because the settings could not be written', async () => {
    const errors: unknown[] = [];
    const answer = { runbook, error: null };
    const handlers = recordingRecentRunbooks(
      handlersAnswering(answer),
      () => {
        throw new Error('disk full');
      },
      (e) => errors.push(e),
    );
    expect(await handlers['runbook.open']({ path: '/r/a.md' })).toBe(answer);
    expect(errors).toEqual([new Error('disk full')]);
  });
});
