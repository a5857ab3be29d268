// library.list: the shipped samples and the recent runbooks, summarised without opening them.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dispatch } from '../src/main/api/dispatch.js';
import { rememberRunbook } from '../src/main/desktop/recent-runbooks.js';
import { testHandlers } from './support/handlers.js';

describe('library.list', () => {
  it('lists the samples with their step and profile counts, and recent files (saying which are gone)', async () => {
    const { root, settings, handlers } = testHandlers({ host: 'browser', version: 'test' });
    const kept = path.join(root, 'kept.md');
    const gone = path.join(root, 'gone.md');
    writeFileSync(kept, '# Kept\n- [ ] a 🟡\n  ```bash\n  true\n  ```\n');
    writeFileSync(gone, '# Gone\n');
    rememberRunbook(settings, gone);
    rememberRunbook(settings, kept);
    rmSync(gone);
    const library = (await dispatch(handlers, 'library.list', {})) as { samples: { title: string; steps: number; profiles: Record<string, number> }[]; recent: { path: string; title: string; error: string | null; profiles: Record<string, number> }[] };
    const titles = library.samples.map((s) => s.title);
    expect(titles).toEqual(expect.arrayContaining(['Workstation Health Check']));
    const payments = library.samples.find((s) => (s.profiles.restricted ?? 0) > 0);
    expect(payments?.steps).toBeGreaterThan(3);
    expect(library.recent).toEqual([
      expect.objectContaining({ path: kept, title: 'Kept', error: null, profiles: { standard: 0, regulated: 1, restricted: 0 } }),
      expect.objectContaining({ path: gone, error: 'no longer exists' }),
    ]);
  });
});
