// Decides what a code block is for: a command to run (shell, sql, k8s-manifest, promql) or text to show.
import { parseAllDocuments } from 'yaml';
import { ACTIONS, type Action } from '../../shared/runbook-model.js';

export interface Classification {
  action: Action;
  reason: string;
}

const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'ksh', 'console', 'shell-session', 'shellsession', 'terminal']);
const SQL_LANGS = new Set(['sql', 'psql', 'postgres', 'postgresql', 'pgsql', 'plpgsql']);
const YAML_LANGS = new Set(['yaml', 'yml']);
const PROMQL_LANGS = new Set(['promql']);

// First words that mark a line of an unlabelled block as a command someone types at a shell.
const COMMAND_WORDS = new Set([
  'sudo', 'kubectl', 'oc', 'helm', 'kubeadm', 'etcdctl', 'crictl', 'systemctl', 'journalctl', 'docker', 'podman',
  'git', 'curl', 'wget', 'ssh', 'scp', 'rsync', 'psql', 'pg_dump', 'pg_restore', 'pg_basebackup', 'pg_ctl',
  'mysql', 'redis-cli', 'cd', 'ls', 'cat', 'echo', 'export', 'grep', 'tail', 'head', 'less', 'find', 'mkdir',
  'rm', 'cp', 'mv', 'chmod', 'chown', 'tar', 'gzip', 'openssl', 'ping', 'dig', 'nslookup', 'nc', 'ps', 'kill',
  'df', 'du', 'free', 'top', 'watch', 'apt', 'apt-get', 'yum', 'dnf', 'npm', 'npx', 'pip', 'python', 'python3',
  'go', 'make', 'terraform', 'ansible', 'ansible-playbook', 'gcloud', 'aws', 'az', 'vault', 'consul', 'argocd',
  'gitlab-ctl', 'gitlab-rake', 'gitlab-psql', 'knife', 'chef-client', 'patronictl', 'wal-g', 'ssh-keygen',
  'gpg', 'jq', 'yq', 'awk', 'sed', 'xargs', 'for', 'while', 'if', 'source', 'service', 'mount', 'umount',
  'ip', 'iptables', 'ss', 'netstat', 'touch', 'ln', 'env', 'set', 'unset', 'time', 'nohup', 'timeout', 'runme',
]);

function meaningfulLines(code: string, comment = /^\s*(#|\/\/|--)/): string[] {
  return code.split('\n').filter((l) => l.trim() !== '' && !comment.test(l));
}

function looksLikeCommand(line: string): boolean {
  const t = line.trim();
  if (/^[$%]\s+\S/.test(t)) return true; // a prompt
  if (/^(\.{0,2}\/)[\w./-]+/.test(t)) return true; // ./script, /usr/bin/x
  if (/^[A-Z_][A-Z0-9_]*=\S*(\s|$)/.test(t)) return true; // VAR=value cmd
  const word = t.split(/[\s;|&(]/)[0] ?? '';
  return COMMAND_WORDS.has(word);
}

const SQL_START = /^\s*(select|insert|update|delete|with|create|alter|drop|grant|revoke|begin|commit|rollback|vacuum|analyze|explain|truncate|set|show|copy|\\[a-z])\b/i;

function isManifest(code: string): boolean {
  // Cheap test first: parsing every YAML-looking block in full was most of the model's cost over remark.
  if (!/^\s*apiVersion\s*:/m.test(code) || !/^\s*kind\s*:/m.test(code)) return false;
  try {
    const docs = parseAllDocuments(code);
    if (!Array.isArray(docs) || docs.length === 0) return false;
    const values: unknown[] = [];
    for (const d of docs) {
      if (d.errors.length > 0) return false;
      const v: unknown = d.toJS();
      if (v === null || v === undefined) continue; // an empty document between separators
      if (typeof v !== 'object' || Array.isArray(v) || !('apiVersion' in v) || !('kind' in v)) return false;
      values.push(v);
    }
    return values.length > 0;
  } catch {
    return false;
  }
}

export function classifyBlock(lang: string | null, code: string, attributes: Record<string, unknown>): Classification {
  const forced = attributes.action;
  if (typeof forced === 'string' && (ACTIONS as readonly string[]).includes(forced)) {
    return { action: forced as Action, reason: `fence attribute "action": "${forced}"` };
  }
  if (attributes.run === false || attributes.excludeFromRunAll === true) {
    return { action: 'display', reason: 'fence attribute marks it not to be run' };
  }
  const lines = meaningfulLines(code);
  if (lines.length === 0) return { action: 'display', reason: 'the block holds only comments or nothing' };

  if (lang && SHELL_LANGS.has(lang)) {
    if (lang === 'console' || lang === 'shell-session' || lang === 'shellsession' || lang === 'terminal') {
      return lines.some((l) => /^\s*[$#%]\s/.test(l))
        ? { action: 'shell', reason: `${lang} transcript: lines after a "$" prompt are the commands` }
        : { action: 'display', reason: `${lang} block without any "$" prompt line is output, not commands` };
    }
    const shellComment = /^\s*#/;
    const cmdLines = meaningfulLines(code, shellComment);
    if (cmdLines.every((l) => /^\s*[-*]\s/.test(l))) {
      return { action: 'display', reason: `${lang} fence holds a list of notes, not commands` };
    }
    const first = cmdLines[0] ?? '';
    if (SQL_START.test(first) && !looksLikeCommand(first)) {
      return { action: 'sql', reason: `${lang} fence holds SQL (starts with "${first.trim().split(/\s+/)[0]}")` };
    }
    return { action: 'shell', reason: `language "${lang}" is a shell` };
  }
  if (lang && SQL_LANGS.has(lang)) return { action: 'sql', reason: `language "${lang}" is SQL` };
  if (lang && PROMQL_LANGS.has(lang)) return { action: 'promql', reason: 'language "promql" is a Prometheus query' };
  if (lang && YAML_LANGS.has(lang)) {
    return isManifest(code)
      ? { action: 'k8s-manifest', reason: 'YAML whose every document has apiVersion and kind' }
      : { action: 'display', reason: 'YAML without apiVersion and kind is configuration to read, not apply' };
  }
  if (lang) return { action: 'display', reason: `language "${lang}" is shown, not run` };
  if (looksLikeCommand(lines[0] as string)) {
    return { action: 'shell', reason: 'no language, and its first line is a shell command' };
  }
  if (isManifest(code)) return { action: 'k8s-manifest', reason: 'no language, but YAML with apiVersion and kind' };
  return { action: 'display', reason: 'no language and no command lines' };
}
