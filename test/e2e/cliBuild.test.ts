/**
 * `scenegraph synth` and `scenegraph build`, run as the BUILT CLI (npm run build first), on real files.
 * No database: both commands are pure file-in, file-out. Every bad input must give exit code 2, a
 * message on stderr that names the offending field, nothing on stdout, and no output file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeNpy } from '../../src/io/npy';

const root = path.resolve(__dirname, '../..');
const cli = path.join(root, 'dist/src/cli/main.js');

const SCENE_FILES = ['image.png', 'depth.npy', 'scene.json', 'truth.json'] as const;

function run(args: string[], cwd = root) {
  return spawnSync(process.execPath, [cli, ...args], {
    cwd,
    env: { ...process.env, LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
}

interface SceneJson {
  depth?: { uri: string; unit: string };
  objects: Array<{ key: string; label: unknown; box: unknown[] }>;
  [k: string]: unknown;
}

let dir: string;
/** A synthetic scene folder (seed 3, 6 objects), written once by the CLI itself. */
let sceneDir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'scenegraph-clibuild-'));
  sceneDir = path.join(dir, 'scene');
  const r = run(['synth', '--out', sceneDir, '--seed', '3', '--objects', '6']);
  if (r.status !== 0) throw new Error(`synth failed (${r.status}): ${r.stderr}`);
}, 60_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function readScene(): SceneJson {
  return JSON.parse(readFileSync(path.join(sceneDir, 'scene.json'), 'utf8')) as SceneJson;
}

/** Writes a variant of the synth scene NEXT TO its depth.npy (so only the change under test is wrong). */
function writeVariant(name: string, change: (s: SceneJson) => void): string {
  const scene = readScene();
  change(scene);
  const file = path.join(sceneDir, name);
  writeFileSync(file, JSON.stringify(scene));
  return file;
}

function writeNpy(name: string, height: number, width: number, value = 5): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    encodeNpy({ shape: [height, width], data: new Float32Array(height * width).fill(value) }),
  );
  return file;
}

describe('scenegraph synth', () => {
  it('writes the four files of a scene folder', () => {
    for (const f of SCENE_FILES) expect(existsSync(path.join(sceneDir, f))).toBe(true);
    const truth = JSON.parse(readFileSync(path.join(sceneDir, 'truth.json'), 'utf8')) as {
      generator: { seed: number; objects: number };
    };
    expect(truth.generator).toMatchObject({ seed: 3, objects: 6 });
    expect(readScene().objects).toHaveLength(6);
  });

  it('is byte-identical for the same seed, and differs for another seed', () => {
    const again = path.join(dir, 'again');
    const other = path.join(dir, 'other');
    const r1 = run(['synth', '--out', again, '--seed', '3', '--objects', '6']);
    const r2 = run(['synth', '--out', other, '--seed', '4', '--objects', '6']);
    expect(r1.status).toBe(0);
    expect(r2.status).toBe(0);
    expect(r1.stdout).toMatch(/wrote 1 scene to/);
    for (const f of SCENE_FILES) {
      const original = readFileSync(path.join(sceneDir, f));
      expect(readFileSync(path.join(again, f)).equals(original)).toBe(true);
    }
    expect(
      readFileSync(path.join(other, 'depth.npy')).equals(readFileSync(path.join(sceneDir, 'depth.npy'))),
    ).toBe(false);
  }, 30_000);

  it.each([
    ['0', /--objects: must be an integer from 1 to 100; got "0"/],
    ['101', /--objects: must be an integer from 1 to 100; got "101"/],
    ['abc', /--objects: must be an integer/],
  ])('refuses --objects %s with exit 2', (objects, message) => {
    const out = path.join(dir, `bad-objects-${objects}`);
    const r = run(['synth', '--out', out, '--objects', objects]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(existsSync(path.join(out, 'scene.json'))).toBe(false);
  });
});

describe('scenegraph build on a synth folder', () => {
  interface Graph {
    objects: Array<{ key: string; depth?: { unit: string }; layer?: number }>;
    layers: Array<{ index: number; basic: string; members: string[] }>;
    relations: Array<{ subject: string; predicate: string; object: string; source: string }>;
    provenance: { geometryFrom: string };
  }

  function checkGraph(graph: Graph): void {
    expect(graph.objects).toHaveLength(6);
    expect(graph.provenance.geometryFrom).toBe('depth-map');
    for (const o of graph.objects) expect(o.depth?.unit).toBe('METERS');
    expect(graph.layers.length).toBeGreaterThan(0);
    expect(graph.layers[0]).toMatchObject({ index: 0 });
    expect(graph.relations.length).toBeGreaterThan(0);
    expect(graph.relations.every((r) => r.source === 'GEOMETRY')).toBe(true);
    expect(graph.relations.some((r) => r.predicate === 'in front of')).toBe(true);
  }

  it('writes the graph to stdout, reading depth.npy from the scene', () => {
    const r = run(['build', '--input', path.join(sceneDir, 'scene.json')]);
    expect(r.status).toBe(0);
    checkGraph(JSON.parse(r.stdout) as Graph);
  });

  it('writes the graph to --out and reports it on stderr', () => {
    const out = path.join(dir, 'graph.json');
    const r = run(['build', '--input', path.join(sceneDir, 'scene.json'), '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/wrote .*graph\.json: 6 objects, \d+ layers, \d+ relations/);
    checkGraph(JSON.parse(readFileSync(out, 'utf8')) as Graph);
  });

  it('resamples a depth map of the same aspect ratio at half size', () => {
    const half = writeNpy('half.npy', 240, 320);
    const r = run([
      'build',
      '--input',
      path.join(sceneDir, 'scene.json'),
      '--depth',
      half,
      '--depth-unit',
      'meters',
    ]);
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as Graph).objects).toHaveLength(6);
  });
});

describe('scenegraph build: bad input exits 2 with a message naming the field', () => {
  interface Case {
    name: string;
    /** Arguments after `build`; may create files. */
    args: () => string[];
    message: RegExp;
  }
  const input = (): string => path.join(sceneDir, 'scene.json');
  const cases: Case[] = [
    {
      name: 'missing --input file',
      args: () => ['--input', path.join(dir, 'no-such-scene.json')],
      message: /--input: cannot read .*no-such-scene\.json/,
    },
    {
      name: 'malformed JSON',
      args: () => {
        const file = path.join(dir, 'malformed.json');
        writeFileSync(file, '{"version": 1, "objects": [');
        return ['--input', file];
      },
      message: /--input: .*malformed\.json is not valid JSON/,
    },
    {
      name: 'inverted box',
      args: () => ['--input', writeVariant('inverted.json', (s) => (s.objects[0].box = [100, 100, 50, 150]))],
      message: /objects\[0\]\.box: is inverted or empty/,
    },
    {
      name: 'NaN box (string "NaN")',
      args: () => ['--input', writeVariant('nan.json', (s) => (s.objects[1].box = [10, 'NaN', 50, 150]))],
      message: /objects\[1\]\.box: must be 4 finite numbers/,
    },
    {
      name: 'NaN box (null)',
      args: () => ['--input', writeVariant('null.json', (s) => (s.objects[1].box = [10, null, 50, 150]))],
      message: /objects\[1\]\.box: must be 4 finite numbers/,
    },
    {
      name: 'out-of-frame box',
      args: () => ['--input', writeVariant('outside.json', (s) => (s.objects[2].box = [600, 100, 700, 150]))],
      message: /objects\[2\]\.box: is outside the 640x480 image/,
    },
    {
      name: 'empty label',
      args: () => ['--input', writeVariant('empty-label.json', (s) => (s.objects[0].label = ''))],
      message: /objects\[0\]\.label: must be a non-empty string/,
    },
    {
      name: 'blank label',
      args: () => ['--input', writeVariant('blank-label.json', (s) => (s.objects[0].label = '   '))],
      message: /objects\[0\]\.label: must be a non-empty string/,
    },
    {
      name: '10k-character label',
      args: () => [
        '--input',
        writeVariant('long-label.json', (s) => (s.objects[3].label = 'x'.repeat(10_000))),
      ],
      message: /objects\[3\]\.label: is 10000 characters long; at most 200/,
    },
    {
      name: 'unknown --depth-unit',
      args: () => ['--input', input(), '--depth-unit', 'furlongs'],
      message: /--depth-unit: must be one of meters, relative, inverse; got "furlongs"/,
    },
    {
      name: 'negative --depth-scale',
      args: () => ['--input', input(), '--depth-scale', '-1'],
      message: /--depth-scale: must be a positive number; got "-1"/,
    },
    {
      name: 'non-numeric --depth-scale',
      args: () => ['--input', input(), '--depth-scale', 'abc'],
      message: /--depth-scale: must be a positive number; got "abc"/,
    },
    {
      name: 'zero --depth-scale',
      args: () => ['--input', input(), '--depth-scale', '0'],
      message: /--depth-scale: must be a positive number/,
    },
    {
      name: '--intrinsics with three numbers',
      args: () => ['--input', input(), '--intrinsics', '500,500,320'],
      message: /--intrinsics: must be fx,fy,cx,cy/,
    },
    {
      name: '--intrinsics with fx = 0',
      args: () => ['--input', input(), '--intrinsics', '0,500,320,240'],
      message: /--intrinsics: must be fx,fy,cx,cy with fx, fy > 0/,
    },
    {
      name: 'non-numeric --intrinsics',
      args: () => ['--input', input(), '--intrinsics', 'a,b,c,d'],
      message: /--intrinsics: must be fx,fy,cx,cy/,
    },
    {
      name: 'depth map of another aspect ratio',
      args: () => ['--input', input(), '--depth', writeNpy('square.npy', 480, 480), '--depth-unit', 'meters'],
      message: /depth: depth map is 480x480 but the image is 640x480, and their aspect ratios differ/,
    },
    {
      name: 'truncated .npy (data)',
      args: () => {
        const file = path.join(dir, 'truncated.npy');
        const bytes = readFileSync(path.join(sceneDir, 'depth.npy'));
        writeFileSync(file, bytes.subarray(0, bytes.length - 1000));
        return ['--input', input(), '--depth', file, '--depth-unit', 'meters'];
      },
      message: /--depth: not a usable \.npy file: truncated data/,
    },
    {
      name: 'truncated .npy (header)',
      args: () => {
        const file = path.join(dir, 'truncated-header.npy');
        writeFileSync(file, readFileSync(path.join(sceneDir, 'depth.npy')).subarray(0, 40));
        return ['--input', input(), '--depth', file, '--depth-unit', 'meters'];
      },
      message: /--depth: not a usable \.npy file: truncated header/,
    },
    {
      name: 'missing --depth file',
      args: () => [
        '--input',
        input(),
        '--depth',
        path.join(dir, 'no-such-depth.npy'),
        '--depth-unit',
        'meters',
      ],
      message: /--depth: file not found/,
    },
    {
      name: '--depth without --depth-unit',
      args: () => ['--input', input(), '--depth', writeNpy('unitless.npy', 480, 640)],
      message: /--depth-unit: is required with --depth/,
    },
    {
      name: 'unknown threshold name',
      args: () => ['--input', input(), '--thresholds', '{"frontMaxOverlapp":0.3}'],
      message: /thresholds\.frontMaxOverlapp: unknown threshold; known thresholds are .*frontMaxOverlap/,
    },
    {
      name: 'threshold out of range',
      args: () => ['--input', input(), '--thresholds', '{"frontMaxOverlap":2}'],
      message: /thresholds\.frontMaxOverlap: must be between 0 and 1/,
    },
    {
      name: '--thresholds that is not JSON',
      args: () => ['--input', input(), '--thresholds', 'frontMaxOverlap=0.3'],
      message: /--thresholds: must be a JSON object/,
    },
  ];

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const out = path.join(dir, `out-${c.name.replace(/\W+/g, '-')}.json`);
    const r = run(['build', ...c.args(), '--out', out]);
    expect(r.stderr).toMatch(c.message);
    expect(r.stderr).toMatch(/^scenegraph: /);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});
