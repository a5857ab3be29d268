// kubectl get: TYPE[,TYPE…] [NAME…] or TYPE/NAME…, with -n, -A, -l, --field-selector, --no-headers and
// -o json|yaml|wide|name. Other output formats (jsonpath, custom-columns, go-template) go to kubectl.
import { type CommandEnv, type KubeList, type KubeObject, apiGet, namespaceOf, resolve } from '../command-env.js';
import { NotNative, UsageError } from '../errors.js';
import { type FlagSpec, type ParsedArgs, flag, lastValue } from '../kubectl-args.js';
import { renderTable, tableFor, toJson, toYaml } from '../printers.js';
import { type ResourceType, apiVersionOf, qualifiedName, resourcePath } from '../resources.js';
import { parseRequests } from './refs.js';

export const GET_FLAGS: FlagSpec = {
  values: { o: 'output', output: 'output', l: 'selector', selector: 'selector', 'field-selector': 'field-selector' },
  booleans: { A: 'all-namespaces', 'all-namespaces': 'all-namespaces', 'no-headers': 'no-headers' },
};

const OUTPUTS = new Set(['json', 'yaml', 'wide', 'name', '']);

interface Fetched {
  type: ResourceType;
  objects: KubeObject[];
  /** Asked for by name: one object prints as itself, not as a List. */
  byName: boolean;
}

export async function get(env: CommandEnv, args: ParsedArgs): Promise<void> {
  const output = lastValue(args, 'output') ?? '';
  if (!OUTPUTS.has(output)) throw new NotNative(`output format ${output}`);
  const allNamespaces = flag(args, 'all-namespaces');
  const namespace = namespaceOf(env, args);
  const selector = lastValue(args, 'selector');
  const fieldSelector = lastValue(args, 'field-selector');
  const requests = parseRequests(args.positionals, 'get');
  // "all" is a discovery category, not a resource; kubectl expands it.
  if (requests.some((r) => r.spelled.toLowerCase() === 'all')) throw new NotNative('the "all" category');
  if (requests.some((r) => r.names.length > 0) && (selector || allNamespaces)) {
    throw new UsageError(selector ? 'name cannot be provided when a selector is specified' : 'a resource cannot be retrieved by name across all namespaces');
  }

  const fetched: Fetched[] = [];
  for (const request of requests) {
    const type = await resolve(env, request.spelled);
    if (request.names.length > 0) {
      const objects: KubeObject[] = [];
      for (const name of request.names) objects.push(await apiGet<KubeObject>(env, resourcePath(type, namespace, name)));
      fetched.push({ type, objects, byName: true });
    } else {
      const list = await apiGet<KubeList>(env, resourcePath(type, allNamespaces ? null : namespace), { labelSelector: selector, fieldSelector });
      // List items come without kind and apiVersion; kubectl fills them in for printing.
      const objects = (list.items ?? []).map((item) => ({ apiVersion: apiVersionOf(type), kind: type.kind, ...item }));
      fetched.push({ type, objects, byName: false });
    }
  }

  const objects = fetched.flatMap((f) => f.objects);
  if (output === 'json' || output === 'yaml') {
    const single = fetched.length === 1 && fetched[0]?.byName && objects.length === 1;
    const value = single ? objects[0] : { apiVersion: 'v1', items: objects, kind: 'List', metadata: { resourceVersion: '' } };
    env.out.stdout(output === 'json' ? toJson(value) : toYaml(value));
    return;
  }
  if (output === 'name') {
    for (const f of fetched) for (const o of f.objects) env.out.stdout(`${qualifiedName(f.type, String(o.metadata?.name ?? ''))}\n`);
    return;
  }
  if (objects.length === 0) {
    const cluster = fetched.every((f) => !f.type.namespaced);
    env.out.stderr(allNamespaces || cluster ? 'No resources found\n' : `No resources found in ${namespace} namespace.\n`);
    return;
  }
  const now = Date.now();
  const kindPrefix = fetched.length > 1;
  const tables = fetched
    .filter((f) => f.objects.length > 0)
    .map((f) => {
      const table = tableFor(f.type, f.objects, { wide: output === 'wide', allNamespaces, kindPrefix, now });
      env.resultSets.push({ command: `get ${f.type.resource}`, columns: table.columns, rows: table.rows, rowCount: table.rows.length });
      return renderTable(table.columns, table.rows, !flag(args, 'no-headers'));
    });
  env.out.stdout(tables.join('\n'));
}
