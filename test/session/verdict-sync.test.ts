// The synchronous verdictOfSync answers: SQL at once (libpg-query parses synchronously
// once loaded), shell once verdictOf has proven the block, and "may change state" before that.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { loadVerdictParsers, verdictOf, verdictOfSync } from '../../src/main/session/verdict.js';

const isStateChanging = (b: Parameters<typeof verdictOfSync>[0]) => verdictOfSync(b).changesState;

const block = (fence: string, code: string) => parseRunbook(`- [ ] s\n  \`\`\`${fence}\n  ${code}\n  \`\`\`\n`).steps[0]?.blocks[0] as never;

beforeAll(loadVerdictParsers);

describe('state-changing blocks', () => {
  it.each([
    ['sql', 'SELECT count(*) FROM t', false],
    ['sql', 'SELECT 1; SHOW server_version', false],
    ['sql', 'SELECT * INTO backup FROM t', true],
    ['sql', 'UPDATE t SET a = 1', true],
    ['sql', 'EXPLAIN ANALYZE DELETE FROM t', true],
    ['sql', 'SELECT 1; DELETE FROM t', true],
    ['sql', "SELECT setval('s', 1)", true],
    ['bash', 'kubectl get pods -n web', false],
    ['bash', 'kubectl rollout status deploy/web', false],
    ['bash', 'kubectl rollout restart deploy/web', true],
    ['bash', 'ls -la', false],
    ['bash', 'ls; rm -rf x', true],
    ['promql', 'up', false],
    ['yaml', 'apiVersion: v1\n  kind: ConfigMap', true],
  ])('%s %j → %s (once proven)', async (fence, code, expected) => {
    const b = block(fence, code);
    await verdictOf(b);
    expect(isStateChanging(b)).toBe(expected);
  });

  it('a shell block not yet proven may change state', () => {
    expect(isStateChanging(block('bash', 'ls -la /never/proven/before'))).toBe(true);
  });
});
