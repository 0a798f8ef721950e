import { realpathSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
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
  // The client sees its own path and the reason; the resolved path and the roots stay in the details
  // (logged, never sent: they describe the server's file system).
  const outside = () =>
    new UserInputError('is outside the allowed roots (INGEST_ROOTS)', field, {
      resolved,
      roots: access.roots,
    });
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

/**
 * The local file behind an image URI that the service may read (inside the roots, relative paths
 * against the first root), or undefined for remote URIs, uploads and anything outside: the same check
 * as every other path a request names.
 */
export function localFileWithin(uri: string, roots: readonly string[]): string | undefined {
  if (roots.length === 0) return undefined;
  try {
    return resolveLocalPath(uri, { roots: [...roots], baseDir: roots[0] }, 'uri');
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

/** Thumbnail sizes the service renders (longest side, pixels): `GET /images/<id>?size=N`, `Image.url(size)`. */
export const THUMBNAIL_MIN_SIZE = 16;
export const THUMBNAIL_MAX_SIZE = 1024;

export function checkThumbnailSize(size: number, field: string): void {
  if (!Number.isInteger(size) || size < THUMBNAIL_MIN_SIZE || size > THUMBNAIL_MAX_SIZE) {
    throw new UserInputError(
      `must be an integer from ${THUMBNAIL_MIN_SIZE} to ${THUMBNAIL_MAX_SIZE} (got ${size})`,
      field,
    );
  }
}

/** Where the service serves a stored image (`size`: a JPEG thumbnail with that longest side). */
export function imagePath(imageId: string, size?: number): string {
  return `/images/${encodeURIComponent(imageId)}${size === undefined ? '' : `?size=${size}`}`;
}

const SIGNATURES: [string, (b: Buffer) => boolean][] = [
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  [
    'image/png',
    (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  ],
  ['image/gif', (b) => b.subarray(0, 4).toString('latin1') === 'GIF8'],
  [
    'image/webp',
    (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  ],
  ['image/tiff', (b) => ['II*\0', 'MM\0*'].includes(b.subarray(0, 4).toString('latin1'))],
  [
    'image/avif',
    (b) =>
      b.subarray(4, 8).toString('latin1') === 'ftyp' &&
      /^avi[fs]$/.test(b.subarray(8, 12).toString('latin1')),
  ],
  [
    'image/heic',
    (b) =>
      b.subarray(4, 8).toString('latin1') === 'ftyp' &&
      /^(heic|heix|mif1)$/.test(b.subarray(8, 12).toString('latin1')),
  ],
];

/** The image type of a file's first bytes, or undefined for anything else. */
export function sniffImageType(head: Buffer): string | undefined {
  return SIGNATURES.find(([, test]) => test(head))?.[0];
}

export interface ServableFile {
  file: string;
  size: number;
  mtimeMs: number;
  /** Sniffed from the first bytes, never from the name. */
  type: string;
}

/**
 * The file behind an image URI when the service may serve it: a local path inside the roots
 * (localFileWithin), a regular file, and an image by its first bytes. Undefined otherwise.
 */
export async function servableImageFile(
  uri: string,
  roots: readonly string[],
): Promise<ServableFile | undefined> {
  const file = localFileWithin(uri, roots);
  if (!file) return undefined;
  const st = await stat(file).catch(() => undefined);
  if (!st?.isFile()) return undefined;
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const head = Buffer.alloc(16);
    await handle.read(head, 0, 16, 0);
    const type = sniffImageType(head);
    return type ? { file, size: st.size, mtimeMs: st.mtimeMs, type } : undefined;
  } finally {
    await handle.close();
  }
}
