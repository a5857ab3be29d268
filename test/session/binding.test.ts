// Only the operator says where steps run: a runbook names targets, never defines them.
import { describe, expect, it } from 'vitest';
import { parseRunbook } from '../../src/main/runbook/index.js';
import { BUILTIN_LOCAL, BindingError, attributeProblem, bindBlock, frontMatterKeyLine, targetSet } from '../../src/main/session/binding.js';
import type { Block } from '../../src/shared/runbook-model.js';
import type { TargetsFile } from '../../src/shared/targets.js';

const OPERATOR: TargetsFile = {
  targets: {
    db: { kind: 'postgres', host: 'db.internal', database: 'app', user: 'ops', passwordEnv: 'APP_DB_PASSWORD', protected: true },
    web: { kind: 'ssh', host: 'web-1', knownHosts: './known_hosts' },
  },
  defaults: { sql: 'db' },
};

function firstBlock(text: string): Block {
  const block = parseRunbook(text, { file: 'rb.md' }).steps.flatMap((s) => s.blocks)[0];
  if (!block) throw new Error('no block');
  return block;
}

/** Runbooks that try to define targets: each would send a step or a credential somewhere of its choosing. */
const HOSTILE: Record<string, string> = {
  'a credential source of its choosing, sent to its own host': 'targets:\n  db: { kind: postgres, host: evil.example, database: x, user: x, passwordEnv: AWS_SECRET_ACCESS_KEY }',
  'a redefined local shell': 'targets:\n  local: { kind: local, cwd: /, env: { LD_PRELOAD: /tmp/x.so } }',
  'a protected host re-declared unprotected': 'targets:\n  db: { kind: postgres, host: db.internal, database: app, user: ops, passwordEnv: APP_DB_PASSWORD, protected: false }',
  'a named secret read out': 'targets:\n  db: { kind: postgres, host: evil.example, database: x, user: x, passwordSecret: prod-db }',
  'a key file and passphrase': 'targets:\n  web: { kind: ssh, host: evil.example, identityFile: ~/.ssh/id_ed25519, passphraseEnv: HOME }',
  'a kubeconfig of its choosing': 'targets:\n  k: { kind: kubernetes, kubeconfig: ~/.kube/prod-config, context: prod }',
  'an empty map (still a definition, refused as one)': 'targets: {}',
  'a quoted key': '"targets":\n  x: { kind: local }',
};

describe('targetSet: the operator\'s targets only', () => {
  for (const [what, yaml] of Object.entries(HOSTILE)) {
    it(`refuses a runbook whose front matter defines targets: ${what}`, () => {
      const text = `---\ntitle: Evil\nprofile: standard\n${yaml}\n---\n# Evil\n\n- [ ] Run\n  \`\`\`bash {"target":"db"}\n  echo hi\n  \`\`\`\n`;
      const runbook = parseRunbook(text, { file: 'evil.md' });
      let error: unknown;
      try {
        targetSet(runbook, OPERATOR, Buffer.from(text));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(BindingError);
      expect((error as BindingError).line).toBe(4);
      expect((error as BindingError).message).toMatch(/^front matter line 4 defines targets.*a runbook may only name targets/);
    });
  }

  it('names the targets it refuses, and says where they belong', () => {
    const runbook = parseRunbook('---\ntargets:\n  db: { kind: local }\n  web: { kind: local }\n---\n# X\n', { file: 'x.md' });
    expect(() => targetSet(runbook, null)).toThrow(/^the front matter defines targets \(db, web\): .*targets file \(--targets\) or the app's settings/);
  });

  it('takes the operator\'s targets and the built-in local shell, which the operator may redefine', () => {
    const runbook = parseRunbook('---\ndefaults: { sql: db }\n---\n# X\n', { file: 'x.md' });
    const set = targetSet(runbook, OPERATOR);
    expect([...set.targets.keys()]).toEqual([BUILTIN_LOCAL, 'db', 'web']);
    expect(set.targets.get('db')).toEqual(OPERATOR.targets.db);
    expect(set.frontMatterDefaults).toEqual({ sql: 'db' });
    expect(set.defaults).toEqual({ shell: BUILTIN_LOCAL, sql: 'db' });
    const own = targetSet(runbook, { targets: { local: { kind: 'local', cwd: '/srv' } } });
    expect(own.targets.get(BUILTIN_LOCAL)).toEqual({ kind: 'local', cwd: '/srv' });
  });

  it('lets a runbook name the operator\'s targets: a fence attribute and front-matter defaults bind', () => {
    const text = '---\ndefaults: { shell: web }\n---\n# X\n\n- [ ] A\n  ```bash\n  uptime\n  ```\n- [ ] B\n  ```sql {"target":"db"}\n  SELECT 1;\n  ```\n';
    const runbook = parseRunbook(text, { file: 'x.md' });
    const set = targetSet(runbook, OPERATOR);
    const [a, b] = runbook.steps.map((s) => s.blocks[0] as Block);
    expect(bindBlock(a as Block, set)).toMatchObject({ targetName: 'web', source: 'front matter' });
    expect(bindBlock(b as Block, set)).toMatchObject({ targetName: 'db', source: 'fence attribute', target: { protected: true } });
  });

  it('reports a name the operator did not define', () => {
    const block = firstBlock('# X\n\n- [ ] A\n  ```bash {"target":"evil"}\n  uptime\n  ```\n');
    expect(bindBlock(block, targetSet(parseRunbook('# X\n'), OPERATOR))).toBe('line 4: target "evil" is not defined (known: local, db, web)');
  });
});

describe('fence attributes that cannot be read never fall back to the default target', () => {
  const cases: Record<string, string> = {
    'a trailing comma (not JSON, not pairs)': '```bash {"target":"web",}',
    'an unclosed brace': '```bash {"target":"web"',
    'YAML-ish, neither JSON nor pairs': '```bash {target: web}',
    'a target outside the braces': '```bash target=web',
    'a target after the braces': '```bash {"name":"x"} target=web',
    'a number for a target': '```bash {"target":5}',
    'an empty target': '```bash {"target":""}',
    'a misspelt case': '```bash {"Target":"web"}',
    'a pairs-style number': '```bash { target=7 }',
  };
  for (const [what, fence] of Object.entries(cases)) {
    it(`refuses the block: ${what}`, () => {
      const block = firstBlock(`# X\n\n- [ ] Remote\n  ${fence}\n  hostname\n  \`\`\`\n`);
      expect(block.attributeError, fence).toEqual(expect.any(String));
      const problem = attributeProblem(block);
      expect(problem).toMatch(/^line 4: fence attributes cannot be read: .+ — fix them; the block is not run$/);
      // Bound on its own it is refused too, rather than sent to the default (local) target.
      expect(bindBlock(block, targetSet(parseRunbook('# X\n'), OPERATOR))).toBe(problem);
    });
  }

  it('keeps a readable fence working, in both attribute forms (positive control)', () => {
    for (const fence of ['```bash {"target":"web"}', '```bash { target=web name=x }', '```bash {"name":"x"}', '```bash']) {
      const block = firstBlock(`# X\n\n- [ ] Remote\n  ${fence}\n  hostname\n  \`\`\`\n`);
      expect(block.attributeError, fence).toBeUndefined();
      expect(attributeProblem(block)).toBeNull();
    }
  });

  it('still records the unreadable attributes as a parse warning on the fence\'s line', () => {
    const runbook = parseRunbook('# X\n\n- [ ] Remote\n  ```bash {"target":"web",}\n  hostname\n  ```\n', { file: 'x.md' });
    expect(runbook.warnings).toEqual([expect.objectContaining({ line: 4, message: expect.stringMatching(/^code fence attributes are not valid JSON/) })]);
  });
});

describe('frontMatterKeyLine', () => {
  it('finds a top-level key, not a nested one or one past the front matter', () => {
    const text = '---\ntitle: x\nvariables:\n  targets: 1\ntargets:\n  a: {}\n---\ntargets: not front matter\n';
    expect(frontMatterKeyLine(text, 'targets')).toBe(5);
    expect(frontMatterKeyLine('---\r\ntitle: x\r\ntargets: {}\r\n---\r\n', 'targets')).toBe(3);
    expect(frontMatterKeyLine('\uFEFF---\ntargets: {}\n---\n', 'targets')).toBe(2);
    expect(frontMatterKeyLine('---\ntitle: x\n---\ntargets: {}\n', 'targets')).toBeNull();
    expect(frontMatterKeyLine('# no front matter\ntargets: {}\n', 'targets')).toBeNull();
  });
});

describe('near misses are refused, never guessed (review findings)', () => {
  const block = (attrs: string) => firstBlock(`# T\n\n- [ ] s\n  \`\`\`bash ${attrs}\n  touch /tmp/never\n  \`\`\`\n`);

  for (const attrs of ['{"targets":"web"}', '{" target":"web"}', '{"target ":"web"}', '{"t\u0430rget":"web"}', '{"target_":"web"}', '{"Target":"web"}', '{"trget":"web"}']) {
    it(`a fence attribute ${attrs} is not "target": the block is refused, not run on local`, () => {
      expect(attributeProblem(block(attrs))).toMatch(/is not "target"/);
      expect(bindBlock(block(attrs), targetSet(parseRunbook('# T\n', { file: 'rb.md' }), OPERATOR))).toEqual(expect.any(String));
    });
  }

  it('positive control: other attributes (name, timeout, expect, interactive) are fine', () => {
    expect(attributeProblem(block('{"name":"x","timeout":"5m","interactive":false,"target":"web"}'))).toBeNull();
  });

  for (const key of ['default', 'Defaults', 'Targets', 'target', '<<', 'defualts']) {
    it(`front matter "${key}:" is refused: it would be ignored and blocks would run on the default`, () => {
      const text = `---\n${key === '<<' ? '<<: { targets: { evil: { kind: local } } }' : `${key}: { shell: web }`}\n---\n# T\n\n- [ ] s\n  \`\`\`bash\n  echo hi\n  \`\`\`\n`;
      expect(() => targetSet(parseRunbook(text, { file: 'rb.md' }), OPERATOR, text)).toThrow(BindingError);
    });
  }

  it('positive control: exact defaults: and other front-matter keys are accepted', () => {
    const text = '---\ntitle: T\nprofile: standard\ndescription: about\ndefaults: { shell: web }\n---\n# T\n';
    expect(targetSet(parseRunbook(text, { file: 'rb.md' }), OPERATOR, text).frontMatterDefaults).toEqual({ shell: 'web' });
  });
});
