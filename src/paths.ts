import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The project root, found by walking up to package.json, so the same code works from src/ (tests,
 * ts-jest) and from dist/src/ (the built CLI).
 */
export const PROJECT_ROOT: string = (() => {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
