// The dry-run diff and kubectl's age format, without a cluster.
import { describe, expect, it } from 'vitest';
import { diffText, unifiedDiff } from '../../../src/main/targets/kubernetes/diff.js';
import { humanAge } from '../../../src/main/targets/kubernetes/printers.js';

describe('apply diff', () => {
  it('ignores the fields the server rewrites on every write and sorts keys', () => {
    const live = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'x', uid: 'u1', resourceVersion: '1', generation: 1, creationTimestamp: 't', managedFields: [{ manager: 'a' }] }, data: { b: '2', a: '1' } };
    const dry = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: 'u1', resourceVersion: '2', generation: 2, creationTimestamp: 't', managedFields: [{ manager: 'b' }] }, data: { a: '1', b: '2' } };
    expect(diffText(live)).toBe('apiVersion: v1\ndata:\n  a: "1"\n  b: "2"\nkind: ConfigMap\nmetadata:\n  name: x\n');
    expect(unifiedDiff(diffText(live), diffText(dry), 'live', 'dry-run')).toEqual({ text: '', added: 0, removed: 0 });
  });

  it('shows changes with three lines of context, separate hunks when far apart', () => {
    const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`);
    const changed = [...old];
    changed[1] = 'line 2 changed';
    changed.splice(15, 1);
    changed.push('line 21');
    const diff = unifiedDiff(`${old.join('\n')}\n`, `${changed.join('\n')}\n`, 'a', 'b');
    expect(diff.text).toBe(
      [
        '--- a',
        '+++ b',
        '@@ -1,5 +1,5 @@',
        ' line 1',
        '-line 2',
        '+line 2 changed',
        ' line 3',
        ' line 4',
        ' line 5',
        '@@ -13,8 +13,8 @@',
        ' line 13',
        ' line 14',
        ' line 15',
        '-line 16',
        ' line 17',
        ' line 18',
        ' line 19',
        ' line 20',
        '+line 21',
        '',
      ].join('\n'),
    );
    expect(diff).toMatchObject({ added: 2, removed: 2 });
  });

  it('an object that does not exist yet is all additions', () => {
    const diff = unifiedDiff('', 'a: 1\nb: 2\n', 'live', 'dry-run');
    expect(diff.text).toBe('--- live\n+++ dry-run\n@@ -0,0 +1,2 @@\n+a: 1\n+b: 2\n');
  });
});

describe('kubectl ages', () => {
  it('follows kubectl HumanDuration', () => {
    const s = 1000;
    expect([5 * s, 119 * s, 150 * s, 9 * 60 * s, 45 * 60 * s, 200 * 60 * s, 7 * 3600 * s, 30 * 3600 * s, 75 * 3600 * s, 40 * 86400 * s, 800 * 86400 * s, 3000 * 86400 * s].map(humanAge)).toEqual([
      '5s', '119s', '2m30s', '9m', '45m', '3h20m', '7h', '30h', '3d3h', '40d', '2y70d', '8y',
    ]);
  });
});
