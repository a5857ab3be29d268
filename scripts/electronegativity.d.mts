export interface AllowEntry {
  check: string;
  file: string;
  justification: string;
  pattern: RegExp;
}

export interface Finding {
  check: string;
  file: string;
  line: number;
  column: number;
  severity: string;
  confidence: string;
  manualReview: boolean;
  description: string;
}

export const EXCLUDED_CHECKS: string[];
export const DEFAULT_INPUTS: { path: string; checks?: string[] }[];
export const DEFAULT_ALLOW_FILE: string;
export function globToRegExp(pattern: string): RegExp;
export function parseAllowList(text: string, source?: string): AllowEntry[];
export function applyAllowList<F extends Pick<Finding, 'check' | 'file'>>(findings: F[], allow: AllowEntry[]): { blocked: F[]; unused: AllowEntry[] };
export function electronVersionProblem(installed: string, wanted: string | undefined): string | null;
