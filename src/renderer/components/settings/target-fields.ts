// The fields the "add target" form asks for per kind; everything else is edited in the YAML view.
// The host validates the result against the shared targets schema, so this list only shapes the form.
import type { TargetKind } from '../../../shared/targets.js';

export interface TargetField {
  key: string;
  label: string;
  type: 'text' | 'number' | 'select';
  required?: boolean;
  placeholder?: string;
  options?: readonly string[];
}

export const TARGET_FIELDS: Record<TargetKind, TargetField[]> = {
  local: [{ key: 'cwd', label: 'Working directory', type: 'text', placeholder: 'default: the runbook\'s directory' }],
  ssh: [
    { key: 'host', label: 'Host', type: 'text', required: true, placeholder: 'db1.example.internal or an ~/.ssh/config alias' },
    { key: 'port', label: 'Port', type: 'number', placeholder: '22' },
    { key: 'user', label: 'User', type: 'text' },
    { key: 'identityFile', label: 'Identity file', type: 'text', placeholder: 'default: ssh-agent' },
    { key: 'knownHosts', label: 'known_hosts file', type: 'text', placeholder: 'default: ~/.ssh/known_hosts' },
    { key: 'jump', label: 'Jump host', type: 'text', placeholder: 'another ssh target, or user@host:port' },
  ],
  postgres: [
    { key: 'host', label: 'Host', type: 'text', required: true },
    { key: 'port', label: 'Port', type: 'number', placeholder: '5432' },
    { key: 'database', label: 'Database', type: 'text', required: true },
    { key: 'user', label: 'User', type: 'text', required: true },
    { key: 'passwordEnv', label: 'Password from environment variable', type: 'text', placeholder: 'PGPASSWORD_PROD (never the password itself)' },
    { key: 'sslmode', label: 'sslmode', type: 'select', options: ['', 'disable', 'prefer', 'require', 'verify-ca', 'verify-full'] },
    { key: 'sslrootcert', label: 'CA certificate file', type: 'text' },
  ],
  kubernetes: [
    { key: 'kubeconfig', label: 'kubeconfig', type: 'text', placeholder: 'default: $KUBECONFIG, then ~/.kube/config' },
    { key: 'context', label: 'Context', type: 'text' },
    { key: 'namespace', label: 'Namespace', type: 'text' },
  ],
  prometheus: [{ key: 'url', label: 'URL', type: 'text', required: true, placeholder: 'http://prometheus.internal:9090' }],
};

/** The target object a filled form describes: empty fields left out, numbers as numbers. */
export function targetFromForm(kind: TargetKind, values: Record<string, string>, isProtected: boolean): Record<string, unknown> {
  const target: Record<string, unknown> = { kind };
  for (const field of TARGET_FIELDS[kind]) {
    const value = (values[field.key] ?? '').trim();
    if (value === '') continue;
    target[field.key] = field.type === 'number' ? Number(value) : value;
  }
  if (isProtected) target.protected = true;
  return target;
}

/** One line saying where a target points, for the targets table. */
export function targetEndpoint(target: Record<string, unknown>): string {
  const s = (key: string) => (typeof target[key] === 'string' || typeof target[key] === 'number' ? String(target[key]) : '');
  switch (target.kind) {
    case 'ssh':
      return `${s('user') ? `${s('user')}@` : ''}${s('host')}${s('port') ? `:${s('port')}` : ''}${s('jump') ? ` via ${s('jump')}` : ''}`;
    case 'postgres':
      return `${s('user')}@${s('host')}${s('port') ? `:${s('port')}` : ''}/${s('database')}${s('sslmode') ? ` (${s('sslmode')})` : ''}`;
    case 'kubernetes':
      return `context ${s('context') || '(current)'}${s('namespace') ? `, namespace ${s('namespace')}` : ''}`;
    case 'prometheus':
      return s('url');
    default:
      return s('cwd') ? `this machine, in ${s('cwd')}` : 'this machine';
  }
}
