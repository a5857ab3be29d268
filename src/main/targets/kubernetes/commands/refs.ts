// How kubectl names the objects a command acts on: TYPE/NAME… or TYPE[,TYPE…] [NAME…].
import { UsageError } from '../errors.js';

export interface Request {
  spelled: string;
  names: string[];
}

/** TYPE/NAME… or TYPE[,TYPE…] [NAME…]. */
export function parseRequests(positionals: string[], verb: string): Request[] {
  if (positionals.length === 0) throw new UsageError(`you must specify the type of resource to ${verb}`);
  if (positionals.every((p) => p.includes('/'))) {
    return positionals.map((p) => {
      const slash = p.indexOf('/');
      const spelled = p.slice(0, slash);
      const name = p.slice(slash + 1);
      if (!spelled || !name || name.includes('/')) throw new UsageError(`arguments in resource/name form must have a single resource and name: "${p}"`);
      return { spelled, names: [name] };
    });
  }
  if (positionals.some((p) => p.includes('/'))) throw new UsageError('there is no need to specify a resource type as a separate argument when passing arguments in resource/name form');
  const [types, ...names] = positionals as [string, ...string[]];
  return types.split(',').filter(Boolean).map((spelled) => ({ spelled, names }));
}

export interface ObjectRef {
  spelled: string;
  name: string;
}

/** The named objects of a command that needs names (rollout, set, scale, patch, delete). */
export function objectRefs(positionals: string[], verb: string): ObjectRef[] {
  const refs = parseRequests(positionals, verb).flatMap((r) => r.names.map((name) => ({ spelled: r.spelled, name })));
  if (refs.length === 0) throw new UsageError(`${verb} needs the name of the object: TYPE NAME or TYPE/NAME`);
  return refs;
}
