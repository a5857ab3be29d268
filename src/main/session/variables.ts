// Resolves the values a run needs: --var, the runbook's front matter, the bound target's environment,
// then the operator. A value marked secret (or named like one) is masked everywhere the project writes.
import type { Runbook, VariableDecl } from '../../shared/runbook-model.js';

const SECRET_NAME = /(pass(word|wd|phrase)?|secret|token|api[_-]?key|private[_-]?key|credential)/i;

export interface VariableRequest {
  /** As the model lists it: "NAME" for $NAME, "<NAME>" for a placeholder. */
  name: string;
  /** Target environments that may hold it (their `env` maps). */
  targetEnv: Record<string, string>[];
  /**
   * Used only with a default or a test (Block.optionalVariables: ${NAME:-x} …): a value given, declared or
   * in the target's environment is passed; nobody is asked, and no value is not a problem.
   */
  optional?: boolean;
}

export interface ResolvedVariables {
  values: Map<string, string>;
  secretValues: Set<string>;
  /** Where each value came from, for the record (never the value of a secret). */
  sources: Map<string, 'option' | 'front matter' | 'target env' | 'operator'>;
  missing: string[];
}

export function bareName(name: string): string {
  return name.replace(/^<|>$/g, '');
}

function declaration(runbook: Runbook, name: string): VariableDecl | null {
  const raw = runbook.frontMatter?.variables?.[bareName(name)] ?? runbook.frontMatter?.variables?.[name];
  if (raw === undefined) return null;
  if (typeof raw === 'object') return raw;
  return { default: String(raw) };
}

/** Whether a name reads as a secret's (PASSWORD, TOKEN, API_KEY …), whatever any runbook declares. */
export function hasSecretName(name: string): boolean {
  return SECRET_NAME.test(bareName(name));
}

export function isSecretVariable(runbook: Runbook, name: string): boolean {
  return declaration(runbook, name)?.secret === true || hasSecretName(name);
}

export async function resolveVariables(
  runbook: Runbook,
  requests: VariableRequest[],
  options: {
    given: ReadonlyMap<string, string>;
    ask?: (name: string, info: { secret: boolean; description?: string }) => Promise<string | null>;
  },
): Promise<ResolvedVariables> {
  const values = new Map<string, string>();
  const sources: ResolvedVariables['sources'] = new Map();
  const secretValues = new Set<string>();
  const missing: string[] = [];
  // A name some block needs is not optional, whatever another block does with it.
  const needed = new Set(requests.filter((r) => !r.optional).map((r) => r.name));
  for (const request of requests) {
    const { name } = request;
    if (values.has(name) || (request.optional && needed.has(name))) continue;
    const optional = request.optional === true;
    const bare = bareName(name);
    const decl = declaration(runbook, name);
    const secret = isSecretVariable(runbook, name);
    let value: string | undefined = options.given.get(name) ?? options.given.get(bare);
    let source: 'option' | 'front matter' | 'target env' | 'operator' = 'option';
    if (value === undefined && decl?.default !== undefined) {
      value = decl.default;
      source = 'front matter';
    }
    if (value === undefined) {
      value = request.targetEnv.map((env) => env[bare]).find((v) => v !== undefined);
      source = 'target env';
    }
    if (value === undefined && options.ask && !optional) {
      const answer = await options.ask(name, { secret, ...(decl?.description ? { description: decl.description } : {}) });
      if (answer !== null) {
        value = answer;
        source = 'operator';
      }
    }
    if (value === undefined) {
      if (!optional) missing.push(name);
      continue;
    }
    values.set(name, value);
    sources.set(name, source);
    if (secret) secretValues.add(value);
  }
  // Secrets given on the command line but not referenced by name are still masked.
  for (const [name, value] of options.given) if (isSecretVariable(runbook, name)) secretValues.add(value);
  return { values, secretValues, sources, missing };
}
