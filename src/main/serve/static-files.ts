// Serves the built renderer from one directory; anything that resolves outside it is refused.
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

export interface StaticFile {
  body: Buffer;
  type: string;
  /** Named by its content (the build's `assets/name-HASH.ext`): a browser may keep it, and V8 its compiled code. */
  immutable: boolean;
}

// Vite names every built asset by a hash of its content; the page itself (index.html) and the icon are not.
const HASHED_ASSET = /^assets\/[^/]+-[A-Za-z0-9_-]{8,}\.(?:js|css)$/;

/** Resolves a URL path inside `root`; null for traversal, symlink escape or a missing file. */
export async function readStatic(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  const base = await realpath(root);
  const wanted = path.resolve(base, relative);
  if (wanted !== base && !wanted.startsWith(base + path.sep)) return null;
  try {
    const real = await realpath(wanted);
    if (!real.startsWith(base + path.sep)) return null;
    const inside = path.relative(base, real).split(path.sep).join('/');
    return { body: await readFile(real), type: TYPES[path.extname(real)] ?? 'application/octet-stream', immutable: HASHED_ASSET.test(inside) };
  } catch {
    return null;
  }
}
