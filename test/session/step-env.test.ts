// A target's credentials go only to that target's connection: local steps do not inherit them, and
// whatever a step prints of them anyway (exposed by the operator, read some other way) is masked.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Target } from '../../src/shared/targets.js';
import { LocalTargetSchema, SshTargetSchema } from '../../src/shared/targets.js';
import { MASK, SecretMasker } from '../../src/main/session/mask.js';
import { CREDENTIAL_VARIABLES, credentialValues, credentialVariables, exposedEnv, localStepEnv, stepEnvFor } from '../../src/main/session/step-env.js';
import { createLocalExecutor } from '../../src/main/targets/local/executor.js';
import type { ExecutorContext, OutputChunk } from '../../src/main/targets/types.js';

const dir = mkdtempSync(path.join(tmpdir(), 'step-env-'));
const CANARY = 'pw-canary-4f1c/+=é!';
const PASS_CANARY = 'passphrase-canary-77';

/** The operator's targets: a database whose password is in $APP_DB_PASSWORD, an ssh host with a key passphrase. */
const targets = new Map<string, Target>([
  ['db', { kind: 'postgres', host: '127.0.0.1', database: 'app', user: 'app', passwordEnv: 'APP_DB_PASSWORD' }],
  ['web', { kind: 'ssh', host: 'web-1', passphraseEnv: 'WEB_KEY_PASSPHRASE' }],
  ['here', { kind: 'local' }],
  ['here-exposed', { kind: 'local', exposeEnv: ['APP_DB_PASSWORD'] }],
]);

/** The operator's environment, as the run was started in it. */
const operatorEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: dir,
  UNRELATED_SETTING: 'still-here',
  APP_DB_PASSWORD: CANARY,
  WEB_KEY_PASSPHRASE: PASS_CANARY,
  PGPASSWORD: 'pgpassword-canary',
  AWS_SECRET_ACCESS_KEY: 'aws-canary-secret',
  PGPASSFILE: '/home/op/.pgpass',
  KUBECONFIG: '/home/op/.kube/config',
  SSH_AUTH_SOCK: '/tmp/agent.sock',
  EMPTY_UNSET: undefined,
};

function ctxFor(env: NodeJS.ProcessEnv = operatorEnv): ExecutorContext {
  return {
    baseDir: dir,
    env,
    ask: async () => null,
    confirm: async () => false,
    stepEnv: (target) => stepEnvFor(target, env, targets.values()),
  };
}

/** Runs a shell block on a local target the way a run does: output through the run's masker. */
async function runLocal(name: string, code: string, ctx: ExecutorContext = ctxFor()) {
  const target = targets.get(name);
  if (target?.kind !== 'local') throw new Error(`${name} is not local`);
  const masker = new SecretMasker(await credentialValues(targets.values(), ctx));
  const raw: OutputChunk[] = [];
  let shown = '';
  const result = await createLocalExecutor(name, target, ctx).start({
    blockId: 'b',
    action: 'shell',
    code,
    onOutput: (chunk) => {
      raw.push(chunk);
      shown += masker.push(chunk.stream, chunk.data);
    },
  }).result;
  shown += masker.flush('stdout') + masker.flush('stderr');
  return { result, raw: raw.map((c) => c.data).join(''), shown };
}

describe('what a local step sees of the environment', () => {
  it('attack: `env` and `printenv` in a local step show no credential of any target', async () => {
    const { result, raw, shown } = await runLocal('here', 'env; printenv APP_DB_PASSWORD || echo "password not inherited"; printenv PGPASSWORD || echo "PGPASSWORD not inherited"');
    expect(result.status).toBe('succeeded');
    for (const secret of [CANARY, PASS_CANARY, 'pgpassword-canary', 'aws-canary-secret']) {
      expect(raw, secret).not.toContain(secret); // not even before masking: the step never had it
      expect(shown).not.toContain(secret);
    }
    expect(raw).toContain('password not inherited');
    expect(raw).toContain('PGPASSWORD not inherited');
    // Positive controls: the ordinary environment, and the paths and sockets the operator's tools need, still arrive.
    expect(raw).toContain('UNRELATED_SETTING=still-here');
    expect(raw).toContain('PGPASSFILE=/home/op/.pgpass');
    expect(raw).toContain('KUBECONFIG=/home/op/.kube/config');
    expect(raw).toContain('SSH_AUTH_SOCK=/tmp/agent.sock');
  });

  it('attack: a step that gets the password (the operator exposed it) cannot print it plainly, base64\'d, hex\'d or URL-encoded', async () => {
    const code = [
      'printf "%s\\n" "$APP_DB_PASSWORD"',
      'printf "%s" "$APP_DB_PASSWORD" | base64',
      'printf "%s\\n" "$APP_DB_PASSWORD" | base64', // followed by a newline byte: only the aligned part is fixed
      'printf "x%s" "$APP_DB_PASSWORD" | base64', // shifted by one byte
      'printf "xy%s" "$APP_DB_PASSWORD" | base64', // shifted by two
      'printf "%s" "$APP_DB_PASSWORD" | od -An -tx1 | tr -d " \\n"; echo',
      // URL-encoding as curl --data-urlencode would.
      'urlencode() { local s="$1" i c; for ((i=0; i<${#s}; i++)); do c="${s:i:1}"; case "$c" in [a-zA-Z0-9.~_-]) printf "%s" "$c";; *) printf "%%%02X" "\'$c";; esac; done; echo; }',
      'LC_ALL=C urlencode "$APP_DB_PASSWORD"',
      '[ -n "$APP_DB_PASSWORD" ] && echo "exposed: yes"',
    ].join('\n');
    const { result, raw, shown } = await runLocal('here-exposed', code);
    expect(result.status).toBe('succeeded');
    // Positive control: the opted-in variable did reach the step (the raw output holds its encodings).
    expect(raw).toContain(CANARY);
    expect(raw).toContain(Buffer.from(CANARY).toString('base64'));
    expect(raw).toContain(Buffer.from(CANARY).toString('hex'));
    expect(raw).toContain('exposed: yes');
    // What anyone sees (terminal, journal, report) holds none of them.
    const bytes = Buffer.from(CANARY);
    for (const form of [CANARY, bytes.toString('base64'), bytes.toString('base64').slice(0, 24), bytes.toString('hex'), encodeURIComponent(CANARY)]) {
      expect(shown, form).not.toContain(form);
    }
    expect(shown.split(MASK).length - 1).toBeGreaterThanOrEqual(7);
  });

  it('an exposed variable is the only credential the step gets; another target\'s still stays out', async () => {
    const { raw } = await runLocal('here-exposed', 'printenv WEB_KEY_PASSPHRASE || echo "passphrase not inherited"; printenv PGPASSWORD || echo "PGPASSWORD not inherited"');
    expect(raw).toContain('passphrase not inherited');
    expect(raw).toContain('PGPASSWORD not inherited');
  });

  it('the target\'s own env and the block\'s values still reach the step, over the operator\'s', async () => {
    const ctx = ctxFor();
    const executor = createLocalExecutor('here', { kind: 'local', env: { FROM_TARGET: 'target', UNRELATED_SETTING: 'target-wins' } }, ctx);
    const chunks: string[] = [];
    const result = await executor.start({ blockId: 'b', action: 'shell', code: 'echo "$FROM_TARGET $UNRELATED_SETTING $FROM_BLOCK"', env: { FROM_BLOCK: 'block' }, onOutput: (c) => chunks.push(c.data) }).result;
    expect(result.status).toBe('succeeded');
    expect(chunks.join('')).toBe('target target-wins block\n');
  });

  describe('without a step environment from the run engine', () => {
    const KEY = 'RUNBOOK_STEP_ENV_TEST_CANARY';
    afterEach(() => {
      delete process.env[KEY];
    });

    it('a local step inherits nothing of this process\'s environment (never process.env)', async () => {
      process.env[KEY] = CANARY;
      const executor = createLocalExecutor('here', { kind: 'local', env: { ONLY: 'this' } }, { baseDir: dir, env: process.env, ask: async () => null, confirm: async () => false });
      const chunks: string[] = [];
      const result = await executor.start({ blockId: 'b', action: 'shell', code: `printenv ${KEY} || echo "not inherited"; echo "$ONLY"`, onOutput: (c) => chunks.push(c.data) }).result;
      expect(result.status).toBe('succeeded');
      expect(chunks.join('')).toBe('not inherited\nthis\n');
    });
  });
});

describe('localStepEnv, stepEnvFor and the credential list', () => {
  it('removes every target\'s passwordEnv and passphraseEnv and the well-known credential variables, keeps the rest', () => {
    const env = localStepEnv(operatorEnv, targets.values());
    expect(env).toEqual({
      PATH: process.env.PATH,
      HOME: dir,
      UNRELATED_SETTING: 'still-here',
      PGPASSFILE: '/home/op/.pgpass',
      KUBECONFIG: '/home/op/.kube/config',
      SSH_AUTH_SOCK: '/tmp/agent.sock',
    });
  });

  it('keeps what the operator exposed, and only that', () => {
    const env = localStepEnv(operatorEnv, targets.values(), ['APP_DB_PASSWORD', 'PGPASSWORD']);
    expect(env.APP_DB_PASSWORD).toBe(CANARY);
    expect(env.PGPASSWORD).toBe('pgpassword-canary');
    expect(env.WEB_KEY_PASSPHRASE).toBeUndefined();
    expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  });

  it('gives an ssh step only what its target exposes, a kubernetes step\'s kubectl the stripped environment, queries nothing', () => {
    const ssh: Target = { kind: 'ssh', host: 'web-1', exposeEnv: ['UNRELATED_SETTING', 'NOT_SET'] };
    expect(stepEnvFor(ssh, operatorEnv, targets.values())).toEqual({ UNRELATED_SETTING: 'still-here' });
    expect(stepEnvFor({ kind: 'ssh', host: 'web-1' }, operatorEnv, targets.values())).toEqual({});
    expect(exposedEnv(operatorEnv, ['APP_DB_PASSWORD'])).toEqual({ APP_DB_PASSWORD: CANARY });
    const kubectl = stepEnvFor({ kind: 'kubernetes' }, operatorEnv, targets.values());
    expect(kubectl.KUBECONFIG).toBe('/home/op/.kube/config');
    expect(kubectl.APP_DB_PASSWORD).toBeUndefined();
    expect(stepEnvFor(targets.get('db') as Target, operatorEnv, targets.values())).toEqual({});
    expect(stepEnvFor({ kind: 'prometheus', url: 'http://p' }, operatorEnv, targets.values())).toEqual({});
  });

  it('lists the credential variables: the targets\' sources and the well-known ones, not paths or sockets', () => {
    const names = credentialVariables(targets.values());
    expect(names).toContain('APP_DB_PASSWORD');
    expect(names).toContain('WEB_KEY_PASSPHRASE');
    for (const known of ['PGPASSWORD', 'AWS_SECRET_ACCESS_KEY', 'VAULT_TOKEN']) expect(CREDENTIAL_VARIABLES).toContain(known);
    for (const kept of ['PGPASSFILE', 'KUBECONFIG', 'SSH_AUTH_SOCK', 'AWS_ACCESS_KEY_ID', 'GOOGLE_APPLICATION_CREDENTIALS']) expect(names).not.toContain(kept);
  });

  it('collects the credential values to mask: env sources, the secret store, a Prometheus URL\'s password', async () => {
    const withStore: Target[] = [
      ...targets.values(),
      { kind: 'postgres', host: 'h', database: 'd', user: 'u', passwordSecret: 'db-secret' },
      { kind: 'prometheus', url: 'https://ops:prom%2Fpass@prom.example/prometheus' },
    ];
    const asked: string[] = [];
    const values = await credentialValues(withStore, {
      env: operatorEnv,
      secret: async (name) => {
        asked.push(name);
        return name === 'db-secret' ? 'store-canary' : null;
      },
    });
    expect(values).toEqual(expect.arrayContaining([CANARY, PASS_CANARY, 'pgpassword-canary', 'aws-canary-secret', 'store-canary', 'prom/pass', 'ops:prom/pass']));
    expect(values).not.toContain('/home/op/.pgpass');
    expect(asked).toEqual(['db-secret']);
    // The Basic Authorization header a Prometheus request carries is masked through "user:password".
    const masker = new SecretMasker(values);
    expect(masker.mask(`Authorization: Basic ${Buffer.from('ops:prom/pass').toString('base64')}`)).toBe(`Authorization: Basic ${MASK}`);
  });

  it('exposeEnv is a field of the operator\'s local and ssh targets, holding variable names', () => {
    expect(LocalTargetSchema.parse({ kind: 'local', exposeEnv: ['PGPASSWORD'] }).exposeEnv).toEqual(['PGPASSWORD']);
    expect(SshTargetSchema.parse({ kind: 'ssh', host: 'h', exposeEnv: ['DEPLOY_TOKEN'] }).exposeEnv).toEqual(['DEPLOY_TOKEN']);
    expect(LocalTargetSchema.safeParse({ kind: 'local', exposeEnv: ['NOT A NAME'] }).success).toBe(false);
  });
});
