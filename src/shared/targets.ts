// Target configuration: where a block runs. One schema for the CLI's targets file and the app's settings.
import { z } from 'zod';

const duration = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as 500ms, 30s, 5m or 1h')
  .describe('Duration: 500ms, 30s, 5m, 1h');

/** Names of the operator's environment variables a target lets its steps see (see exposeEnv). */
const exposeEnv = z
  .array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment variable names are letters, digits and _'))
  .describe(
    "The operator's opt-in (never the runbook's): on a local target, credential variables its steps may see although they are otherwise removed (a target's passwordEnv, PGPASSWORD …); on an ssh target, the only variables of this machine its steps may use",
  );

const common = {
  /** Production: each state-changing step needs the operator to type the target's name. */
  protected: z.boolean().optional(),
  description: z.string().optional(),
};

export const LocalTargetSchema = z
  .object({
    kind: z.literal('local'),
    shell: z.string().optional().describe('Shell binary; default bash'),
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).optional(),
    /** Local steps start with the operator's environment less every credential variable, except these. */
    exposeEnv: exposeEnv.optional(),
    timeout: duration.optional(),
    ...common,
  })
  .strict();

export const SshTargetSchema = z
  .object({
    kind: z.literal('ssh'),
    host: z.string().min(1).describe('Host name, address, or a Host alias from ~/.ssh/config'),
    port: z.number().int().min(1).max(65535).optional(),
    user: z.string().optional(),
    identityFile: z.string().optional(),
    /** Environment variable holding the key's passphrase; otherwise the operator is asked. */
    passphraseEnv: z.string().optional(),
    /** Use ssh-agent: true for SSH_AUTH_SOCK, or a socket path. Default: true when SSH_AUTH_SOCK is set. */
    agent: z.union([z.boolean(), z.string()]).optional(),
    knownHosts: z.union([z.string(), z.array(z.string())]).optional(),
    /** Pinned host key fingerprint, as ssh-keygen -l prints it: SHA256:base64 (no padding). */
    fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}=?$/, 'SHA256:<43 base64 characters>').optional(),
    /** Jump host: the name of another ssh target, or [user@]host[:port]. */
    jump: z.string().optional(),
    sshConfig: z.string().optional().describe('ssh_config file; default ~/.ssh/config'),
    env: z.record(z.string(), z.string()).optional(),
    /** Variables of the operator's environment its steps may use as values; nothing else of it is sent. */
    exposeEnv: exposeEnv.optional(),
    timeout: duration.optional(),
    connectTimeout: duration.optional(),
    ...common,
  })
  .strict();

export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

export const PostgresTargetSchema = z
  .object({
    kind: z.literal('postgres'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1),
    user: z.string().min(1),
    /** Environment variable holding the password (never the password itself). */
    passwordEnv: z.string().optional(),
    /** Name of a secret in the app's secret store. */
    passwordSecret: z.string().optional(),
    sslmode: z.enum(SSL_MODES).optional(),
    sslrootcert: z.string().optional(),
    statementTimeout: duration.optional(),
    timeout: duration.optional(),
    ...common,
  })
  .strict();

export const KubernetesTargetSchema = z
  .object({
    kind: z.literal('kubernetes'),
    kubeconfig: z.string().optional().describe('Default: $KUBECONFIG, then ~/.kube/config'),
    context: z.string().optional(),
    namespace: z.string().optional(),
    timeout: duration.optional(),
    ...common,
  })
  .strict();

export const PrometheusTargetSchema = z
  .object({
    kind: z.literal('prometheus'),
    url: z.string().url(),
    timeout: duration.optional(),
    ...common,
  })
  .strict();

export const TargetSchema = z.discriminatedUnion('kind', [
  LocalTargetSchema,
  SshTargetSchema,
  PostgresTargetSchema,
  KubernetesTargetSchema,
  PrometheusTargetSchema,
]);

export type LocalTarget = z.infer<typeof LocalTargetSchema>;
export type SshTarget = z.infer<typeof SshTargetSchema>;
export type PostgresTarget = z.infer<typeof PostgresTargetSchema>;
export type KubernetesTarget = z.infer<typeof KubernetesTargetSchema>;
export type PrometheusTarget = z.infer<typeof PrometheusTargetSchema>;
export type Target = z.infer<typeof TargetSchema>;
export type TargetKind = Target['kind'];

/** Which kinds of target can run each kind of action (kubectl lines in shell blocks run on kubernetes targets). */
export const TARGET_KINDS_FOR_ACTION = {
  shell: ['local', 'ssh', 'kubernetes'],
  sql: ['postgres'],
  'k8s-manifest': ['kubernetes'],
  promql: ['prometheus'],
} as const satisfies Record<string, readonly TargetKind[]>;

const targetName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'target names are letters, digits, _ . and -');

export const TargetsFileSchema = z
  .object({
    targets: z.record(targetName, TargetSchema),
    defaults: z
      .object({ shell: z.string().optional(), sql: z.string().optional(), k8s: z.string().optional(), promql: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict();
export type TargetsFile = z.infer<typeof TargetsFileSchema>;

/** Parses "500ms", "30s", "5m", "1h" into milliseconds. */
export function durationMs(value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (!m) throw new Error(`not a duration: "${value}"`);
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(n * unit);
}
