import { describe, expect, it } from 'vitest';
import { RunbookError, parseRunbook } from '../../src/main/runbook/index.js';
import { RunbookSchema } from '../../src/shared/runbook-model.js';

const md = (lines: string[]) => `${lines.join('\n')}\n`;
const parse = (text: string) => {
  const rb = parseRunbook(text, { file: 'test.md' });
  RunbookSchema.parse(rb);
  return rb;
};

describe('steps', () => {
  it('task items at any depth are steps; task items inside a step are its sub-checks', () => {
    const rb = parse(md([
      '# Deploy',
      '## Prepare',
      '- [ ] **Back up the database**',
      '  - [ ] dump taken',
      '  - [x] dump copied off-site',
      '  ```bash',
      '  pg_dump app > app.sql',
      '  ```',
      '- Group without a box',
      '  - [x] Nested task is a step of its own',
    ]));
    expect(rb.title).toBe('Deploy');
    expect(rb.steps.map((s) => [s.title, s.origin, s.checked])).toEqual([
      ['Back up the database', 'task', false],
      ['Nested task is a step of its own', 'task', true],
    ]);
    expect(rb.steps[0]?.checks).toEqual([
      { title: 'dump taken', checked: false, line: 4 },
      { title: 'dump copied off-site', checked: true, line: 5 },
    ]);
    expect(rb.steps[0]?.blocks.map((b) => [b.lang, b.action, b.line])).toEqual([['bash', 'shell', 6]]);
    expect(rb.steps[0]?.id).toBe('prepare/back-up-the-database');
  });

  it('ordered items of a procedure (a list where an item holds code) are steps, with or without code', () => {
    const rb = parse(md([
      '## Drain the node',
      '1. Cordon it:',
      '   ```shell',
      '   kubectl cordon <node-name>',
      '   ```',
      '2. Tell the on-call channel.',
      '',
      '## Background',
      '1. Prose list',
      '2. without any code',
    ]));
    expect(rb.steps.map((s) => [s.title, s.origin, s.blocks.length])).toEqual([
      ['Cordon it', 'ordered', 1],
      ['Tell the on-call channel.', 'ordered', 0],
    ]);
    expect(rb.steps[0]?.variables).toEqual(['<node-name>']);
  });

  it('a heading whose section has no task or procedure items is a step holding its code', () => {
    const rb = parse(md([
      '# Restart the cache',
      '## Check the service',
      'Look at the unit first.',
      '```',
      'systemctl status redis',
      '```',
      'Then the log:',
      '```bash',
      'journalctl -u redis --since -10m',
      '```',
    ]));
    expect(rb.steps).toHaveLength(1);
    const step = rb.steps[0];
    expect([step?.title, step?.origin, step?.id]).toEqual(['Check the service', 'heading', 'check-the-service']);
    expect(step?.blocks.map((b) => b.action)).toEqual(['shell', 'shell']);
    expect(step?.blocks[0]?.reason).toMatch(/no language/);
    expect(step?.body).toContain('Look at the unit first.');
  });

  it('bold lead-ins split a heading section into steps', () => {
    const rb = parse(md([
      '## Roll back',
      '**Step 1: Disable the flag**',
      '```bash',
      'export FLAG=off',
      '```',
      '**Step 2: Restart**',
      '```bash',
      'kubectl rollout restart deployment/web',
      '```',
    ]));
    expect(rb.steps.map((s) => [s.title, s.origin])).toEqual([
      ['Step 1: Disable the flag', 'lead-in'],
      ['Step 2: Restart', 'lead-in'],
    ]);
  });

  it('a code block outside the task items of a section becomes its own step, titled by its lead-in or the heading', () => {
    const rb = parse(md([
      '## Verify',
      '- [ ] Pods are ready',
      '',
      '**Verification:**',
      '```bash',
      'kubectl get pods',
      '```',
      '',
      '- [ ] Done',
      '',
      '```bash',
      'echo finished',
      '```',
    ]));
    expect(rb.steps.map((s) => [s.title, s.origin])).toEqual([
      ['Pods are ready', 'task'],
      ['Verification', 'lead-in'],
      ['Done', 'task'],
      ['Verify', 'block'],
    ]);
    expect(new Set(rb.steps.map((s) => s.id)).size).toBe(4);
  });

  it('keeps sub-check titles out of the body; heading and lead-in steps get their prose and blanks', () => {
    const tasks = parse(md(['- [ ] Parent', '  Some context.', '  - [ ] child check', '    detail of the check']));
    expect(tasks.steps[0]?.body).toBe('Some context.');
    const heading = parse(md([
      '## Restore',
      'Rows restored: ____ %',
      '```bash',
      'pg_restore dump',
      '```',
      '**Step 2: Verify**',
      'Compare with the source.',
      '```bash',
      'psql -c "select 1"',
      '```',
    ]));
    expect(heading.steps.map((s) => [s.title, s.body, s.fillIns.map((f) => f.label)])).toEqual([
      ['Restore', 'Rows restored: ____ %', ['Rows restored']],
      ['Step 2: Verify', 'Compare with the source.', []],
    ]);
  });

  it('recognises sign-off tables, sign-off lines and decisions', () => {
    const rb = parse(md([
      '## Go-live',
      '- [ ] GO / NO-GO call with the release manager',
      '- [ ] Proceed to phase 2 or roll back',
      '',
      '## Sign-off',
      '| Role | Name | Date |',
      '|---|---|---|',
      '| Release manager | | |',
      '| QA lead | | |',
      '',
      '## Approval',
      '**Operator:** __________ Date: ______',
    ]));
    const [go, proceed, table, lines] = rb.steps;
    expect(go?.kind).toBe('decision');
    expect(go?.decision?.options).toEqual(['GO', 'NO-GO']);
    expect(proceed?.decision?.options).toEqual(['Proceed to phase 2', 'Roll back']);
    expect(table?.kind).toBe('signoff');
    expect(table?.signoff).toEqual({ roles: ['Release manager', 'QA lead'], fields: ['Name', 'Date'] });
    expect(table?.fillIns.map((f) => f.label)).toEqual(['Release manager: Name', 'Release manager: Date', 'QA lead: Name', 'QA lead: Date']);
    expect(lines?.kind).toBe('signoff');
    expect(lines?.signoff?.roles).toEqual(['Operator']);
    expect(lines?.fillIns.map((f) => f.label)).toEqual(['Operator', 'Date']);
  });

  it('titles join hard-wrapped lines, keep separate lines in the body, and shorten long sentences', () => {
    const rb = parse(md([
      '- [ ] Raise the memory limit of the collector in the',
      '  ClusterLogForwarder resource.',
      '- [ ] **Ticket approved** 🟢',
      '  Ticket number: ______',
      `- [ ] ${'Record the password in the team vault under the entry for this environment so that a roll back can use it '.repeat(2)}`,
    ]));
    expect(rb.steps.map((s) => s.title)).toEqual([
      'Raise the memory limit of the collector in the ClusterLogForwarder resource.',
      'Ticket approved',
      'Record the password in the team vault under the entry for this environment so that a roll back can use it Record the…',
    ]);
    expect(rb.steps[0]?.body).toBe('');
    expect(rb.steps[1]?.body).toBe('Ticket number: ______');
    expect(rb.steps[2]?.body).toMatch(/^Record the password/);
  });

  it('finds fill-in blanks with their labels and units', () => {
    const rb = parse(md(['- [ ] Disk usage after cleanup: _____ %', '  Ticket: ______ approved by ______']));
    expect(rb.steps[0]?.fillIns).toEqual([
      { label: 'Disk usage after cleanup', unit: '%', line: 1, type: 'percent', required: true },
      { label: 'Ticket', unit: null, line: 2, type: 'text', required: true },
      { label: 'approved by', unit: null, line: 2, type: 'text', required: true },
    ]);
  });

  it('collects expected hints from code comments and prose', () => {
    const rb = parse(md([
      '- [ ] Health endpoint answers',
      '  Expected: HTTP 200 within a second',
      '  ```bash',
      '  curl -fsS http://localhost:8080/health',
      '  # Expected: {"status":"ok"}',
      '  # Should not take longer than 1s',
      '  ```',
    ]));
    expect(rb.steps[0]?.expected).toEqual(['HTTP 200 within a second', '{"status":"ok"}', 'Should not take longer than 1s']);
  });

  it('lists variables a block uses but does not set, and ignores shell-set and environment names', () => {
    const rb = parse(md([
      '- [ ] Deploy',
      '  ```bash',
      '  export TAG=v1',
      '  for svc in api web; do echo "$svc"; done',
      '  helm upgrade app ./chart --set image.tag=$TAG --namespace ${NAMESPACE:-default} --kube-context <CONTEXT>',
      '  echo $HOME $1 $?',
      '  ```',
    ]));
    // ${NAMESPACE:-default} carries its own default: optional, passed when given, never asked for.
    expect(rb.steps[0]?.variables).toEqual(['<CONTEXT>']);
    expect(rb.steps[0]?.blocks[0]?.optionalVariables).toEqual(['NAMESPACE']);
  });
});

describe('profiles', () => {
  it('reads emoji, text and mojibake markers, and inherits from headings and front matter', () => {
    const rb = parse(md([
      '---',
      'profile: standard',
      '---',
      '# Hardening',
      '## Basics',
      '- [ ] Unmarked step takes the front-matter profile',
      '- [ ] Card data scrubbed 🟡',
      '- [ ] Audit log shipped (REGULATED+)',
      '- [ ] Vault sealed ðŸ”´ RESTRICTED',
      '- [ ] Both marked 🔴 🟢',
      '## ðŸŸ¡ Regulated section',
      '- [ ] Inherits from its heading',
      '- [ ] The step marker wins 🔴',
    ]));
    expect(rb.steps.map((s) => [s.title, s.profile])).toEqual([
      ['Unmarked step takes the front-matter profile', 'standard'],
      ['Card data scrubbed', 'regulated'],
      ['Audit log shipped', 'regulated'],
      ['Vault sealed', 'restricted'],
      ['Both marked', 'standard'],
      ['Inherits from its heading', 'regulated'],
      ['The step marker wins', 'restricted'],
    ]);
    expect(rb.sections[0]?.sections.map((s) => [s.title, s.profile])).toEqual([
      ['Basics', 'standard'],
      ['Regulated section', 'regulated'],
    ]);
    expect(rb.warnings.some((w) => /repaired 2 mis-decoded/.test(w.message))).toBe(true);
  });

  it('is null when nothing marks the step', () => {
    expect(parse('- [ ] plain\n').steps[0]?.profile).toBeNull();
  });

  it('does not take ordinary lower-case words for markers', () => {
    expect(parse('- [ ] Use the standard library\n').steps[0]?.profile).toBeNull();
  });
});

describe('annotations', () => {
  it('fence attributes (JSON and Runme pairs) override inference', () => {
    const rb = parse(md([
      '- [ ] Backup',
      '  ```sql {"target":"db","name":"backup","timeout":"5m"}',
      '  select 1;',
      '  ```',
      '  ```sh { name=notify interactive=false }',
      '  echo done',
      '  ```',
      '  ```bash {"action":"display"}',
      '  rm -rf /',
      '  ```',
    ]));
    const [sql, sh, shown] = rb.steps[0]?.blocks ?? [];
    expect(sql).toMatchObject({ name: 'backup', target: 'db', action: 'sql', attributes: { timeout: '5m' } });
    expect(sql?.id).toBe('backup#backup');
    expect(sh).toMatchObject({ name: 'notify', attributes: { interactive: false }, action: 'shell' });
    expect(shown).toMatchObject({ action: 'display', reason: 'fence attribute "action": "display"' });
  });

  it('warns, naming the line, about attributes that are not valid', () => {
    const rb = parse(md(['- [ ] x', '  ```bash {"target": db}', '  true', '  ```']));
    expect(rb.warnings).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/not valid JSON/) })]);
  });

  it('front matter sets title, profile, variables and targets', () => {
    const rb = parse(md([
      '---',
      'title: From front matter',
      'variables:',
      '  TOKEN: { secret: true }',
      'targets:',
      '  db: { kind: postgres, host: 127.0.0.1 }',
      '---',
      '# Heading title',
    ]));
    expect(rb.title).toBe('From front matter');
    expect(rb.frontMatter?.variables).toEqual({ TOKEN: { secret: true } });
    expect(rb.frontMatter?.targets?.db).toEqual({ kind: 'postgres', host: '127.0.0.1' });
  });

  it('bad front matter is an error naming the file, line and field', () => {
    const bad = md(['---', 'title: ok', 'profile: secret-squirrel', '---', '# x']);
    expect(() => parse(bad)).toThrow(RunbookError);
    try {
      parse(bad);
    } catch (error) {
      expect(String(error)).toMatch(/^test\.md:3:10: error: front matter field "profile":.* \[front-matter-field\]$/);
    }
    expect(() => parse(md(['---', 'title: [unclosed', '---']))).toThrow(/^front matter is not valid YAML/);
    // An alias with no anchor (bold text read as YAML, found by the property test) and an alias bomb.
    expect(() => parse(md(['---', '**a**', '---']))).toThrow(/^front matter is not valid YAML: Unresolved alias/);
    const bomb = ['---', 'a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefgh'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefgh'[i]}`).join(', ')}]`), '---'];
    expect(() => parse(md(bomb))).toThrow(/Excessive alias count/);
  });
});

describe('block classification', () => {
  const action = (fence: string, code: string) => parse(`- [ ] s\n  ${fence}\n  ${code.split('\n').join('\n  ')}\n  \`\`\`\n`).steps[0]?.blocks[0];
  it.each([
    ['```bash', 'ls -la', 'shell'],
    ['```zsh', 'ls', 'shell'],
    ['```console', '$ kubectl get pods\nNAME READY', 'shell'],
    ['```console', 'NAME READY\nweb 1/1', 'display'],
    ['```psql', 'select 1;', 'sql'],
    ['```promql', 'up == 0', 'promql'],
    ['```yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x', 'k8s-manifest'],
    ['```yaml', 'replicas: 3', 'display'],
    ['```python', 'print(1)', 'display'],
    ['```', 'kubectl get nodes', 'shell'],
    ['```', 'Just some words here', 'display'],
    ['```bash', '# only a comment', 'display'],
  ])('%s %j → %s', (fence, code, expected) => {
    const block = action(fence, code);
    expect(block?.action).toBe(expected);
    expect(block?.reason.length).toBeGreaterThan(5);
  });
});

describe('ids', () => {
  it('are unique and do not change when unrelated parts of the file change', () => {
    const before = parse(md(['## A', '- [ ] Check', '- [ ] Check', '## B', '- [ ] Deploy']));
    const after = parse(md(['Intro paragraph added.', '## New section', '- [ ] Other', '## A', '- [ ] Check', '- [ ] Check', '## B', '- [ ] Extra first', '- [ ] Deploy']));
    expect(before.steps.map((s) => s.id)).toEqual(['a/check', 'a/check~2', 'b/deploy']);
    const idsAfter = after.steps.map((s) => s.id);
    for (const id of before.steps.map((s) => s.id)) expect(idsAfter).toContain(id);
  });
});
