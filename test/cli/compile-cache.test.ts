// The CLI keeps V8's compile cache in the operator's own cache directory (src/cli/compile-cache.ts): made
// 0700, under XDG_CACHE_HOME (or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%); NODE_COMPILE_CACHE moves it,
// NODE_DISABLE_COMPILE_CACHE turns it off.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileCacheDir, userCacheDir } from '../../src/cli/compile-cache.js';
import { REPO_ROOT } from '../support/shared.js';

const CLI = path.join(REPO_ROOT, 'dist/bin/runbook.js');

describe('the compile cache', () => {
  it('lives in the operator\'s cache directory, by platform', () => {
    expect(userCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/a')).toBe('/x/cache');
    expect(userCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/a')).toBe('/home/a/.cache');
    expect(userCacheDir({}, 'linux', '/home/a')).toBe('/home/a/.cache');
    expect(userCacheDir({}, 'darwin', '/Users/a')).toBe('/Users/a/Library/Caches');
    expect(userCacheDir({ LOCALAPPDATA: 'C:\\Users\\a\\AppData\\Local' }, 'win32', 'C:\\Users\\a')).toBe('C:\\Users\\a\\AppData\\Local');
    expect(compileCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe(path.join('/x/cache', 'runbook-console', 'compile-cache'));
  });

  it('is written there by a command, private to the operator; NODE_DISABLE_COMPILE_CACHE leaves it alone', () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'compile-cache-'));
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cache };
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    const off = spawnSync(process.execPath, [CLI, '--version'], { env: { ...env, NODE_DISABLE_COMPILE_CACHE: '1' }, encoding: 'utf8' });
    expect(off.status).toBe(0);
    expect(existsSync(path.join(cache, 'runbook-console'))).toBe(false);
    const on = spawnSync(process.execPath, [CLI, 'parse', path.join(REPO_ROOT, 'runbooks/local-health-check.md')], { env, encoding: 'utf8' });
    expect(on.status, on.stderr).toBe(0);
    const dir = compileCacheDir({ XDG_CACHE_HOME: cache });
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).length).toBeGreaterThan(0);
  });
});
