// Whether a block may change state on its target; protected targets need the operator to type their name
// before such a block runs. Anything not known to be read-only counts as state-changing.
import { parse as parseShell } from 'shell-quote';
import type { Block } from '../../shared/runbook-model.js';

const READ_ONLY_SQL = /^\s*(select|show|explain(?!\s+(\(.*\banalyze\b|analyze\b))|\\d\w*|\\l|\\dt|table|values)\b/i;
const KUBECTL_READ = new Set(['get', 'describe', 'logs', 'top', 'explain', 'version', 'api-resources', 'api-versions', 'cluster-info', 'diff']);

function statements(sql: string): string[] {
  return sql
    .replace(/--[^\n]*/g, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

function commandLines(code: string): string[][] {
  return code
    .split('\n')
    .filter((l) => l.trim() && !l.trim().startsWith('#'))
    .map((l) => parseShell(l).filter((t): t is string => typeof t === 'string'));
}

function readOnlyShell(code: string): boolean {
  const lines = commandLines(code);
  return (
    lines.length > 0 &&
    lines.every(([cmd, verb, sub]) => {
      if (cmd === 'kubectl') return KUBECTL_READ.has(verb ?? '') || (verb === 'rollout' && (sub === 'status' || sub === 'history'));
      return false;
    })
  );
}

export function isStateChanging(block: Block): boolean {
  switch (block.action) {
    case 'display':
    case 'promql':
      return false;
    case 'sql':
      return !statements(block.code).every((s) => READ_ONLY_SQL.test(s) && !/\binto\b/i.test(s));
    case 'shell':
      return !readOnlyShell(block.code);
    default:
      return true;
  }
}
