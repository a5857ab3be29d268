import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { isStateChanging } from '../../src/main/session/state-change.js';

const block = (fence: string, code: string) => parseRunbook(`- [ ] s\n  \`\`\`${fence}\n  ${code}\n  \`\`\`\n`).steps[0]?.blocks[0] as never;

describe('state-changing blocks', () => {
  it.each([
    ['sql', 'SELECT count(*) FROM t', false],
    ['sql', 'SELECT 1; SHOW server_version', false],
    ['sql', 'SELECT * INTO backup FROM t', true],
    ['sql', 'UPDATE t SET a = 1', true],
    ['sql', 'EXPLAIN ANALYZE DELETE FROM t', true],
    ['bash', 'kubectl get pods -n web', false],
    ['bash', 'kubectl rollout status deploy/web', false],
    ['bash', 'kubectl rollout restart deploy/web', true],
    ['bash', 'ls -la', true],
    ['promql', 'up', false],
    ['yaml', 'apiVersion: v1\n  kind: ConfigMap', true],
  ])('%s %j → %s', (fence, code, expected) => {
    expect(isStateChanging(block(fence, code))).toBe(expected);
  });
});
