import { realpathSync } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../errors/errors';

/**
 * Where the pipeline may read local files from. The service must not become a way to read arbitrary
 * files, so every path a request names (depth maps, images) resolves inside one of the allowed roots;
 * remote URIs in scene graphs are references only, never fetched (the image URL path of ingestImage
 * has its own checked fetcher, src/pipeline/fetchImage.ts).
 */

export interface FileAccess {
  /** Folders local paths may resolve into. */
  roots: string[];
  /** Relative paths resolve against this folder (the scene file's folder for the CLI). */
  baseDir: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** True for `file:...`, `http://...`, `data:...`; false for paths (`a/b.png`, `/x`, `C:\\x`). */
export function hasScheme(uri: string): boolean {
  return SCHEME.test(uri) && !/^[a-z]:[\\/]/i.test(uri);
}

/** True for `http://...`, `s3://...`, `data:...`: anything with a scheme other than file:. */
export function isRemoteUri(uri: string): boolean {
  return hasScheme(uri) && !uri.startsWith('file:');
}

export function resolveLocalPath(uri: string, access: FileAccess, field: string): string {
  if (isRemoteUri(uri)) {
    throw new UserInputError(
      `remote URIs are not fetched here (${uri.split('/').slice(0, 3).join('/')}/...); give a local path inside the allowed roots`,
      field,
    );
  }
  if (uri.includes('\0')) throw new UserInputError('contains a NUL character', field);
  let local: string;
  try {
    local = uri.startsWith('file:') ? decodeURIComponent(new URL(uri).pathname) : uri;
  } catch {
    throw new UserInputError('is not a valid file: URI', field);
  }
  const resolved = path.resolve(access.baseDir, local);
  const outside = () =>
    new UserInputError(
      `path ${resolved} is outside the allowed roots (${access.roots.join(', ')}; set INGEST_ROOTS)`,
      field,
    );
  if (!isInside(resolved, access.roots)) throw outside();
  // A symbolic link inside a root may point anywhere: the file it names must be inside a root too.
  const real = realPath(resolved);
  if (real !== undefined && real !== resolved) {
    const realRoots = access.roots.map((r) => realPath(path.resolve(r)) ?? path.resolve(r));
    if (!isInside(real, realRoots)) throw outside();
  }
  return resolved;
}

/** The path with every symbolic link resolved; undefined when it does not exist (yet). */
function realPath(p: string): string | undefined {
  try {
    return realpathSync.native(p);
  } catch {
    return undefined;
  }
}

export function isInside(file: string, roots: readonly string[]): boolean {
  return roots.some((root) => {
    const rel = path.relative(path.resolve(root), file);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  });
}
