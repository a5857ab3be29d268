// Reads a k8s-manifest block (or a file given to apply -f): YAML, possibly several documents, possibly
// kind: List. Each object needs apiVersion, kind and metadata.name; a problem names the document it is in.
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './command-env.js';
import { UsageError } from './errors.js';

export interface ManifestObject {
  object: KubeObject;
  /** e.g. "document 2 of deploy.yaml", for messages. */
  source: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseManifest(text: string, origin: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  const docs = parseAllDocuments(text);
  // parseAllDocuments returns an EmptyStream (not an array) for text without any document.
  if (!Array.isArray(docs)) return objects;
  docs.forEach((doc, index) => {
    const where = `document ${index + 1} of ${origin}`;
    if (doc.errors.length > 0) throw new UsageError(`${where} is not valid YAML: ${doc.errors[0]?.message}`);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // An alias without its anchor, or an alias bomb.
      throw new UsageError(`${where} is not valid YAML: ${(error as Error).message}`);
    }
    if (value === null || value === undefined) return;
    if (!isObject(value)) throw new UsageError(`${where} is not a Kubernetes object (a mapping with apiVersion and kind)`);
    const items = typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) ? (value.items as unknown[]) : [value];
    items.forEach((item, i) => {
      const at = items.length > 1 || item !== value ? `item ${i + 1} of ${where}` : where;
      if (!isObject(item)) throw new UsageError(`${at} is not a Kubernetes object`);
      if (typeof item.apiVersion !== 'string' || !item.apiVersion) throw new UsageError(`${at} has no apiVersion`);
      if (typeof item.kind !== 'string' || !item.kind) throw new UsageError(`${at} has no kind`);
      const metadata = item.metadata;
      if (!isObject(metadata) || typeof metadata.name !== 'string' || !metadata.name) {
        throw new UsageError(`${at} (${item.kind}) has no metadata.name; apply needs a name (generateName is not supported)`);
      }
      objects.push({ object: item as KubeObject, source: at });
    });
  });
  return objects;
}
