import path from 'node:path';
import type { FileAccess } from './localFiles';

/**
 * The CLI reads the files it is given, wherever they are (the user named them); relative paths in a
 * scene file resolve against the scene file's folder. The service instead confines reads to
 * INGEST_ROOTS.
 */
export function cliFileAccess(baseDir: string): FileAccess {
  const dir = path.resolve(baseDir);
  return { roots: [path.parse(dir).root], baseDir: dir };
}
