import { hubFileUrl, hubTreeUrl } from '../../../../inference/models/hub';
import { isSafeRelativePath, modelManifestSchema } from '../../../../inference/models/manifest';
import {
  DEFAULT_MODEL_BY_TASK,
  entryName,
  entryTask,
  findModel,
  getModel,
  HubEntry,
  MODEL_REGISTRY,
  modelNames,
} from '../../../../inference/models/registry';
import { UnknownModelError } from '../../../../inference/models/errors';
import { loadConfig, ConfigError } from '../../../../src/config/config';

const hubEntries = MODEL_REGISTRY.filter((e): e is HubEntry => e.kind === 'hub');
const hub = (name: string) => {
  const e = findModel(name);
  if (e?.kind !== 'hub') throw new Error(`${name} is not a hub model`);
  return e.spec;
};

describe('model registry', () => {
  it('has unique kebab-case names', () => {
    const names = modelNames();
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it('lists the expected models', () => {
    expect(modelNames().sort()).toEqual(
      [
        'coco-centernet',
        'depth-anything-v2-base',
        'depth-anything-v2-large',
        'depth-anything-v2-metric-indoor-large',
        'depth-anything-v2-metric-indoor-small',
        'depth-anything-v2-metric-outdoor-large',
        'depth-anything-v2-metric-outdoor-small',
        'depth-anything-v2-small',
        'owlv2-base-patch16-ensemble',
      ].sort(),
    );
  });

  it('gives every hub model a valid spec: a repository, a revision, safe paths, one ONNX graph', () => {
    for (const { spec } of hubEntries) {
      const parsed = modelManifestSchema.safeParse(spec);
      expect(parsed.error?.issues ?? []).toEqual([]);
      expect(spec.hub.repo).toMatch(/^[\w.-]+\/[\w.-]+$/);
      expect(spec.hub.revision).toMatch(/^(main|[0-9a-f]{40})$/);
      expect(spec.files.filter((f) => f.role === 'model')).toHaveLength(1);
      for (const f of spec.files) {
        expect(isSafeRelativePath(f.path)).toBe(true);
        if (f.sha256) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(new Set(spec.files.map((f) => f.path)).size).toBe(spec.files.length);
    }
  });

  it('describes Depth Anything V2: relative heads give inverse depth, metric heads meters, licences per size', () => {
    for (const size of ['small', 'base', 'large']) {
      const s = hub(`depth-anything-v2-${size}`);
      expect(s).toMatchObject({
        task: 'depth',
        architecture: 'depth-anything-v2',
        inputSize: 518,
        depthOutput: 'inverse',
        hub: { repo: `onnx-community/depth-anything-v2-${size}` },
      });
      expect(s.files).toEqual([expect.objectContaining({ role: 'model', path: 'onnx/model.onnx' })]);
      expect(s.license).toBe(size === 'small' ? 'Apache-2.0' : 'CC-BY-NC-4.0');
    }
    for (const scene of ['indoor', 'outdoor']) {
      for (const size of ['small', 'large']) {
        const s = hub(`depth-anything-v2-metric-${scene}-${size}`);
        expect(s).toMatchObject({ task: 'depth', architecture: 'depth-anything-v2', depthOutput: 'meters' });
        expect(s.license).toBe(size === 'small' ? 'Apache-2.0' : 'CC-BY-NC-4.0');
      }
    }
  });

  it('describes OWLv2 with its tokenizer files', () => {
    const s = hub('owlv2-base-patch16-ensemble');
    expect(s).toMatchObject({ task: 'detect', architecture: 'owlv2', inputSize: 960 });
    expect(s.files.map((f) => [f.role, f.path])).toEqual([
      ['model', 'onnx/model.onnx'],
      ['tokenizer', 'tokenizer.json'],
      ['tokenizer_config', 'tokenizer_config.json'],
    ]);
  });

  it('registers the committed COCO detector as bundled', () => {
    expect(findModel('coco-centernet')).toEqual(
      expect.objectContaining({
        kind: 'bundled',
        task: 'detect',
        architecture: 'centernet',
        dir: 'models/coco-centernet',
      }),
    );
  });

  it('defaults to registered models of the right task', () => {
    for (const [task, name] of Object.entries(DEFAULT_MODEL_BY_TASK)) {
      expect(entryTask(getModel(name))).toBe(task);
    }
    expect(entryName(getModel(DEFAULT_MODEL_BY_TASK.detect)).length).toBeGreaterThan(0);
  });

  it('refuses unknown names with the list of known ones', () => {
    expect(() => getModel('depth-anything-v3')).toThrow(UnknownModelError);
    expect(() => getModel('depth-anything-v3')).toThrow(/known models: depth-anything-v2-small, /);
  });
});

describe('hub URLs', () => {
  const small = hub('depth-anything-v2-small').hub;

  it('builds resolve and tree URLs, encoding revisions and path segments', () => {
    expect(hubFileUrl('https://huggingface.co/', small, 'onnx/model.onnx')).toBe(
      'https://huggingface.co/onnx-community/depth-anything-v2-small/resolve/34f40a4c93991327074907b51792dbc27e7d6f1c/onnx/model.onnx',
    );
    expect(hubTreeUrl('https://hf-mirror.example', small, 'onnx')).toBe(
      'https://hf-mirror.example/api/models/onnx-community/depth-anything-v2-small/tree/34f40a4c93991327074907b51792dbc27e7d6f1c/onnx',
    );
    expect(hubTreeUrl('http://h', { repo: 'a/b', revision: 'refs/pr/1' }, '')).toBe(
      'http://h/api/models/a/b/tree/refs%2Fpr%2F1',
    );
    expect(hubFileUrl('http://h', { repo: 'a/b', revision: 'main' }, 'dir/a b#.json')).toBe(
      'http://h/a/b/resolve/main/dir/a%20b%23.json',
    );
  });
});

describe('paths inside a model folder', () => {
  it.each(['model.onnx', 'onnx/model.onnx', 'a/b/c.json'])('accepts %s', (p) => {
    expect(isSafeRelativePath(p)).toBe(true);
  });
  it.each(['', '/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a\\b', 'a/.'])('rejects %j', (p) => {
    expect(isSafeRelativePath(p)).toBe(false);
  });
});

describe('HF_ENDPOINT and HF_TOKEN', () => {
  it('default to the public hub and no token', () => {
    expect(loadConfig({}, '/srv').models).toEqual({
      hubEndpoint: 'https://huggingface.co',
      hubToken: undefined,
    });
  });

  it('accept a mirror (trailing slash dropped) and a token', () => {
    expect(loadConfig({ HF_ENDPOINT: 'https://hf-mirror.com/', HF_TOKEN: 'hf_x' }, '/srv').models).toEqual({
      hubEndpoint: 'https://hf-mirror.com',
      hubToken: 'hf_x',
    });
  });

  it('reject an endpoint that is not an http(s) URL, naming the variable', () => {
    expect(() => loadConfig({ HF_ENDPOINT: 'huggingface.co' })).toThrow(ConfigError);
    expect(() => loadConfig({ HF_ENDPOINT: 'ftp://x' })).toThrow(/HF_ENDPOINT:/);
  });
});
