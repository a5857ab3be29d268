// What the console works out to show the parser's model (issue 12): optional variables with their default for
// the start form (a name some shown step needs is required instead), the words on a block's reading badge,
// which step a diagnostic's line belongs to, and the share a load's progress bar shows.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { loadPercent } from '../../src/renderer/lib/load-progress.js';
import { defaultedVariables, defaultsInCode, optionalVariablesToOffer, readingLabel, stepAtLine, variablesToAsk } from '../../src/renderer/lib/runbook-facts.js';

const RUNBOOK = `---
variables:
  TIER: { default: gold }
---
# Change

## Prepare

- [ ] Show the region
  \`\`\`bash
  echo "\${REGION:-eu-west-1} \${ZONE-a} \${TIER:-silver} \${DEBUG:+-v} \${WHO:-$USER}"
  \`\`\`
- [ ] Needs the zone 🔴
  \`\`\`bash
  echo "$ZONE"
  \`\`\`
- [ ] Say it
  \`\`\`console
  $ echo hello
  hello
  \`\`\`
- [ ] Output only
  \`\`\`console
  total 0
  drwxr-xr-x 2 root root 40 Jan  1 00:00 x
  \`\`\`
- [ ] Two queries
  \`\`\`promql
  up
  rate(errors_total[5m])
  \`\`\`
- [ ] MySQL
  \`\`\`mysql
  SHOW PROCESSLIST;
  \`\`\`
`;

const runbook = parseRunbook(RUNBOOK, { file: 'change.md' });
const block = (title: string) => runbook.steps.find((s) => s.title === title)?.blocks[0];

describe('optional variables in the start form', () => {
  it('offers each with its default: the code\'s as written (a plain one in the field), the front matter\'s first', () => {
    const offered = optionalVariablesToOffer(runbook, 'standard');
    expect(offered.map((v) => [v.name, v.defaultText, v.defaultFrom, v.prefill])).toEqual([
      ['REGION', 'eu-west-1', 'code', 'eu-west-1'],
      ['ZONE', 'a', 'code', 'a'],
      ['TIER', 'gold', 'front matter', 'gold'],
      ['DEBUG', null, null, ''], // only tested: no default
      ['WHO', '$USER', 'code', ''], // a default the shell expands is shown, not put in the field
    ]);
    expect(variablesToAsk(runbook, 'standard')).toEqual([]);
  });

  it('a name a shown step needs a value for is required, not optional', () => {
    expect(optionalVariablesToOffer(runbook, 'restricted').map((v) => v.name)).not.toContain('ZONE');
    expect(variablesToAsk(runbook, 'restricted')).toEqual([{ name: 'ZONE', secret: false, description: null, required: true }]);
  });

  it('a needed variable the front matter gives a default is offered with it (a secret\'s not shown), not asked for', () => {
    const defaulted = parseRunbook('---\nvariables:\n  WHO: world\n  DB_PASSWORD: { default: hunter2, secret: true }\n  TICKET: { description: the ticket }\n---\n# T\n\n## S\n\n```bash\necho "$WHO $DB_PASSWORD $TICKET"\n```\n', { file: 'd.md' });
    expect(defaultedVariables(defaulted, 'standard')).toEqual([
      { name: 'WHO', secret: false, prefill: 'world', description: null },
      { name: 'DB_PASSWORD', secret: true, prefill: '', description: null },
    ]);
    expect(variablesToAsk(defaulted, 'standard')).toEqual([{ name: 'TICKET', secret: false, description: 'the ticket', required: true }]);
  });

  it('reads ${NAME<op>word} defaults with nested expansions, and tests (+) apart', () => {
    expect(defaultsInCode('x=${A:-${B:-b}} y=${A-z} ${A:+set} ${AB:-no}', 'A')).toEqual([
      { op: ':-', word: '${B:-b}' },
      { op: '-', word: 'z' },
      { op: ':+', word: 'set' },
    ]);
  });
});

describe('what a block\'s badge says about how it was read', () => {
  it('transcript, output only, several queries, as written', () => {
    expect(readingLabel(block('Say it') as never)).toBe('transcript — prompts removed');
    expect(readingLabel(block('Output only') as never)).toBe('output — not run');
    expect(readingLabel(block('Two queries') as never)).toBe('2 queries');
    expect(readingLabel(block('Show the region') as never)).toBe('as written');
    // The model says why a block with no executor is not run: the console shows that reason.
    expect(block('MySQL')).toMatchObject({ action: 'display', reason: expect.stringMatching(/MySQL, which no executor here runs/) });
  });
});

describe('where a diagnostic takes the operator', () => {
  it('to the step holding a block that starts on its line, else the last step starting before it, else nowhere', () => {
    const bad = parseRunbook('# T\n\n## S\n\n- [ ] One\n- [ ] Two\n  ```bash {"target": \n  echo x\n  ```\n- [ ] Three\n', { file: 't.md' });
    const diagnostic = bad.warnings.find((w) => w.code === 'fence-attributes');
    expect(diagnostic).toMatchObject({ severity: 'error', line: 7 });
    expect(stepAtLine(bad, 7)?.title).toBe('Two');
    expect(stepAtLine(bad, 9)?.title).toBe('Two');
    expect(stepAtLine(bad, 1)).toBeNull();
  });
});

describe('the load progress bar', () => {
  it('goes with the bytes parsed to 95 %, then 95 while the model is assembled, and 100 when done', () => {
    const p = (phase: 'reading' | 'parsing' | 'finishing' | 'done', done: number) => ({ loadId: 1, file: 'f', phase, done, total: 1000, steps: 0 });
    expect(loadPercent(null)).toBe(0);
    expect(loadPercent(p('reading', 0))).toBe(0);
    expect(loadPercent(p('parsing', 500))).toBe(47);
    expect(loadPercent(p('finishing', 1000))).toBe(95);
    expect(loadPercent(p('done', 1000))).toBe(100);
  });
});
