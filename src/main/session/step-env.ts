// What a step sees of the operator's environment. A target's credentials go only to that target's
// connection: a local step is the runbook's code and its output is recorded (journal, report, signed
// export), so a password one `env` away from it would end up there. Local steps start with the operator's
// environment less every credential variable; the operator may expose some on the target (`exposeEnv`).
// This stops credentials leaking through steps and the tools they start; it is no sandbox (a local step
// runs as the operator), which is why every credential value is also masked (credentialValues, mask.ts).
import type { Target } from '../../shared/targets.js';
import type { ExecutorContext } from '../targets/types.js';

/**
 * Variables that hold a credential themselves, removed from local steps even when no target names them.
 * Kept on purpose, because they name where a credential is rather than hold it, and the operator's own
 * tools in a step need them: PGPASSFILE, KUBECONFIG, SSH_AUTH_SOCK (the agent is the operator's own),
 * GOOGLE_APPLICATION_CREDENTIALS, AWS_PROFILE, AWS_ACCESS_KEY_ID (an identifier, useless without its secret).
 */
export const CREDENTIAL_VARIABLES: readonly string[] = [
  // The team store's (store/url.ts): its URL may hold a password too.
  'RUNBOOK_STORE_PASSWORD',
  'RUNBOOK_STORE_URL',
  'PGPASSWORD',
  'MYSQL_PWD',
  'REDISCLI_AUTH',
  'SSHPASS',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_SECURITY_TOKEN',
  'AZURE_CLIENT_SECRET',
  'ARM_CLIENT_SECRET',
  'VAULT_TOKEN',
  'CONSUL_HTTP_TOKEN',
  'GITHUB_TOKEN',
  'GH_TOKEN',
  'GITLAB_TOKEN',
  'NPM_TOKEN',
  'DOCKER_PASSWORD',
];

/** Every variable name the targets read a credential from (passwordEnv, passphraseEnv), plus the well-known ones. */
export function credentialVariables(targets: Iterable<Target>): Set<string> {
  const names = new Set(CREDENTIAL_VARIABLES);
  for (const target of targets) {
    if (target.kind === 'postgres' && target.passwordEnv) names.add(target.passwordEnv);
    if (target.kind === 'ssh' && target.passphraseEnv) names.add(target.passphraseEnv);
  }
  return names;
}

/**
 * A local step's environment: `base` (the operator's) less every credential variable of `targets` (give
 * them all, not just the step's own: a step must not see another target's password either), except the
 * names the operator listed in `exposed`.
 */
export function localStepEnv(base: NodeJS.ProcessEnv, targets: Iterable<Target>, exposed: readonly string[] = []): Record<string, string> {
  const hidden = credentialVariables(targets);
  for (const name of exposed) hidden.delete(name);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && !hidden.has(name)) env[name] = value;
  }
  return env;
}

/** Only the variables the operator exposed that are set: what a remote step may get of this machine. */
export function exposedEnv(base: NodeJS.ProcessEnv, exposed: readonly string[] = []): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of exposed) {
    const value = base[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/**
 * What a step of `target` may see of the operator's environment: a local step (and the kubectl a
 * kubernetes target starts here) the whole of it less the credentials; an ssh step only what its target
 * exposes; a database or Prometheus query nothing.
 */
export function stepEnvFor(target: Target, base: NodeJS.ProcessEnv, targets: Iterable<Target>): Record<string, string> {
  switch (target.kind) {
    case 'local':
      return localStepEnv(base, targets, target.exposeEnv ?? []);
    case 'kubernetes':
      return localStepEnv(base, targets);
    case 'ssh':
      return exposedEnv(base, target.exposeEnv ?? []);
    default:
      return {};
  }
}

/**
 * The credential values the run's targets read from the environment and the secret store, and those in
 * a Prometheus URL: for the masker, so that none shows up in output, results or the record even when a
 * step gets at it some other way (it was exposed, read from a file, printed encoded). Never recorded.
 */
export async function credentialValues(targets: Iterable<Target>, ctx: Pick<ExecutorContext, 'env' | 'secret'>): Promise<string[]> {
  const all = [...targets];
  const values = new Set<string>();
  const keep = (value: string | null | undefined) => {
    if (value) values.add(value);
  };
  for (const name of credentialVariables(all)) keep(ctx.env[name]);
  for (const target of all) {
    if (target.kind === 'postgres' && target.passwordSecret && ctx.secret) keep(await ctx.secret(target.passwordSecret).catch(() => null));
    if (target.kind === 'prometheus') {
      const url = URL.canParse(target.url) ? new URL(target.url) : null;
      if (url?.password) {
        const user = decodeURIComponent(url.username);
        const password = decodeURIComponent(url.password);
        keep(password);
        // The Basic Authorization header carries "user:password" base64'd; the masker covers its encodings.
        keep(`${user}:${password}`);
      }
    }
  }
  return [...values];
}
