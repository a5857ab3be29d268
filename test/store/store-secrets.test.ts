// The store's password never reaches a step, the output or the run's record: a local step inherits the
// operator's environment less the credential variables (step-env.ts), the store's among them, and the run masks it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../cli/crash-support.js';

const PASSWORD = 'store-secret-4242';

describe('the store password and local steps', () => {
  it('a step that prints its environment shows neither $RUNBOOK_STORE_PASSWORD nor a URL holding it', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'store-secret-'));
    writeFileSync(path.join(root, 'env.md'), '# Env\n\n- [ ] Show\n  ```bash\n  env | grep RUNBOOK_STORE || true\n  ```\n');
    const dir = path.join(root, 'run');
    const env = {
      RUNBOOK_CONSOLE_KEY_DIR: path.join(root, 'keys'),
      // Nothing listens on port 1: the run goes on, the store is simply away.
      RUNBOOK_STORE_URL: `postgresql://bob:${PASSWORD}@127.0.0.1:1/appdb?sslmode=disable&connect_timeout=1`,
      RUNBOOK_STORE_PASSWORD: PASSWORD,
    };
    const run = cli(env, 'run', path.join(root, 'env.md'), '--yes', '--journal', dir);
    expect(run.status, run.stderr).toBe(0);
    let recorded = '';
    try {
      recorded = execFileSync('grep', ['-rl', PASSWORD, dir], { encoding: 'utf8' });
    } catch {
      // grep exits 1 when no file holds it
    }
    expect({ stdout: run.stdout.includes(PASSWORD), stderr: run.stderr.includes(PASSWORD) }).toEqual({ stdout: false, stderr: false });
    expect(recorded).toBe('');
  });
});
