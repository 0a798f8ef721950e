import { mkdtempSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FormatError } from '../../../src/formats/formatError';
import { importFiles, readJsonInput } from '../../../src/formats/importFiles';
import { SceneNames, clipBox } from '../../../src/formats/importScene';
import { IMPORT_LIMITS } from '../../../src/formats/limits';
import { FIXTURES } from './fixtures';

describe('reading import files', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'formats-'));

  it('parses JSON Lines into an array and names the bad line', async () => {
    expect(await readJsonInput(path.join(FIXTURES, 'grounded-records.jsonl'))).toHaveLength(2);
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"a": 1}\n\n{"a": \n');
    await expect(readJsonInput(bad)).rejects.toThrow(/bad\.jsonl: line 3: is not valid JSON/);
  });

  it('refuses malformed JSON and missing files with a FormatError naming the file', async () => {
    const bad = path.join(dir, 'truncated.json');
    writeFileSync(bad, '{"images": [');
    await expect(readJsonInput(bad)).rejects.toBeInstanceOf(FormatError);
    await expect(readJsonInput(bad)).rejects.toThrow(/truncated\.json: \$: is not valid JSON/);
    await expect(readJsonInput(path.join(dir, 'nope.json'))).rejects.toThrow(/nope\.json: \$: no such file/);
  });

  it('refuses files over the size limit before reading them', async () => {
    const big = path.join(dir, 'big.json');
    writeFileSync(big, '');
    const { truncateSync } = await import('node:fs');
    truncateSync(big, IMPORT_LIMITS.maxFileBytes + 1);
    await expect(readJsonInput(big)).rejects.toThrow(/big\.json: \$: is 500 MiB; at most 500 MiB are read/);
  });

  it('imports a folder of labelme files with unique names across files, failing bad files alone', async () => {
    const folder = path.join(dir, 'labelme');
    mkdirSync(path.join(folder, 'b'), { recursive: true });
    copyFileSync(path.join(FIXTURES, 'labelme-kitchen.json'), path.join(folder, 'a.json'));
    copyFileSync(path.join(FIXTURES, 'labelme-kitchen.json'), path.join(folder, 'b', 'a.json'));
    writeFileSync(path.join(folder, 'c.json'), '[1, 2');
    const done: number[] = [];
    const result = await importFiles('labelme', folder, {
      imageUri: (file, name) => path.join(path.dirname(file), name),
      onFile: (n) => done.push(n),
    });
    expect(result.files).toBe(3);
    expect(done).toEqual([1, 2, 3]);
    expect(result.scenes.map((s) => s.name)).toEqual(['kitchen', 'kitchen-2']);
    expect(result.scenes[1].scene.image.uri).toBe(path.join(folder, 'b', 'kitchen.jpg'));
    expect(result.failures.map((f) => f.error.message)).toEqual([
      expect.stringMatching(/c\.json: \$: is not valid JSON/),
    ]);
  });
});

describe('scene names and boxes', () => {
  it('are deterministic, unique and cannot leave the output folder', () => {
    const names = new SceneNames();
    expect(
      ['val2017/0001.jpg', 'train2017/0001.jpg', '../../etc/passwd', 'a b?.png', '0001-2', 'x.tar.gz'].map(
        (n) => names.allocate(n),
      ),
    ).toEqual(['0001', '0001-2', 'passwd', 'a_b', '0001-2-2', 'x.tar']);
  });

  it('clip boxes to the frame and report empty ones', () => {
    expect(clipBox([-1, 2, 12, 8], 10, 10)).toEqual({ box: [0, 2, 10, 8], clipped: true });
    expect(clipBox([1, 2, 3, 4], 10, 10)).toEqual({ box: [1, 2, 3, 4], clipped: false });
    expect(clipBox([412.8, 0, 412.8 + 53.05, 1], 640, 480)!.box[2]).toBe(465.85);
    expect(clipBox([11, 2, 15, 8], 10, 10)).toBeUndefined();
    expect(clipBox([3, 2, 3, 8], 10, 10)).toBeUndefined();
  });
});
