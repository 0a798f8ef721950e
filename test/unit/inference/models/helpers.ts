import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelStore } from '../../../../inference/models/cache';
import type { HubClientOptions } from '../../../../inference/models/hub';
import type { ModelFile } from '../../../../inference/models/modelSpec';
import type { HubEntry, RegistryEntry } from '../../../../inference/models/registry';
import type { FakeRepo } from './fakeHub';

/** A registry entry for a fake repository: its files as the registry names them (optionally pinned). */
export function hubEntry(
  name: string,
  repo: FakeRepo,
  pins: Record<string, Partial<Pick<ModelFile, 'sha256' | 'size'>>> = {},
): HubEntry {
  return {
    kind: 'hub',
    approxBytes: 1000,
    spec: {
      name,
      task: 'detect',
      architecture: 'owlv2',
      description: `test model ${name}`,
      license: 'Apache-2.0',
      inputSize: 960,
      files: repo.files.map((f, i) => ({
        role: i === 0 ? 'model' : 'tokenizer',
        path: f.path,
        ...pins[f.path],
      })),
      hub: { repo: repo.repo, revision: repo.revision },
    },
  };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function storeFor(
  modelDir: string,
  registry: readonly RegistryEntry[],
  hub?: Partial<HubClientOptions> & { endpoint: string },
  bundledRoot?: string,
): ModelStore {
  return new ModelStore({
    modelDir,
    registry,
    bundledRoot,
    hub: hub ? { timeoutMs: 2000, retries: 2, retryDelayMs: 5, ...hub } : undefined,
  });
}
