import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserInputError } from '../../../src/errors/errors';
import { resolveLocalPath } from '../../../src/pipeline/localFiles';

describe('resolveLocalPath', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'roots-'));
  const outside = mkdtempSync(path.join(os.tmpdir(), 'outside-'));
  const access = { roots: [root], baseDir: root };
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  const refused = (uri: string) => {
    try {
      resolveLocalPath(uri, access, 'input.path');
    } catch (e) {
      expect(e).toBeInstanceOf(UserInputError);
      return (e as UserInputError).path;
    }
    return 'accepted';
  };

  it('accepts files inside the roots, including links that stay inside', () => {
    writeFileSync(path.join(root, 'a.png'), 'x');
    symlinkSync(path.join(root, 'a.png'), path.join(root, 'inside-link.png'));
    expect(resolveLocalPath('a.png', access, 'f')).toBe(path.join(root, 'a.png'));
    expect(resolveLocalPath('inside-link.png', access, 'f')).toBe(path.join(root, 'inside-link.png'));
  });

  it('refuses traversal, absolute paths, file: URIs and links that lead outside', () => {
    writeFileSync(path.join(outside, 'secret.png'), 'x');
    symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'escape.png'));
    symlinkSync(outside, path.join(root, 'escape-dir'));
    expect(refused('../../../../etc/passwd')).toBe('input.path');
    expect(refused(path.join(root, '..', path.basename(outside), 'secret.png'))).toBe('input.path');
    expect(refused('/etc/passwd')).toBe('input.path');
    expect(refused('file:///etc/passwd')).toBe('input.path');
    expect(refused('file:///etc/%2e%2e/etc/passwd')).toBe('input.path');
    expect(refused('escape.png')).toBe('input.path');
    expect(refused('escape-dir/secret.png')).toBe('input.path');
    expect(refused('a.png\u0000.txt')).toBe('input.path');
    expect(refused('http://127.0.0.1/a.png')).toBe('input.path');
  });
});
