/**
 * `model.json`: the description a model folder carries of itself. For a bundled model it is committed
 * with the files; for a hub model the store writes it only after every file of a pull (or of files
 * placed by hand) has been checked, so its presence means "complete and verified". It is a `ModelSpec`
 * with each file's size and sha256 filled in, plus, for pulled models, where and when they came from.
 */

import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ModelSpec } from './modelSpec';

export const MANIFEST_FILE = 'model.json';

export interface PullRecord {
  /** Hub endpoint the files came from (HF_ENDPOINT at the time). */
  endpoint: string;
  /** The revision the registry asked for (a commit sha or a branch). */
  revision: string;
  /** The commit that revision resolved to, when the hub said (`X-Repo-Commit`). */
  commit?: string;
  /** ISO time the manifest was written. */
  pulledAt: string;
  /** True when the files were placed by hand and adopted by `scenegraph models verify`. */
  placedByHand?: boolean;
}

export interface ModelManifest extends ModelSpec {
  pulled?: PullRecord;
}

/**
 * A path inside a model folder: relative, forward slashes, no `.`/`..` or empty segments. Manifests and
 * registry entries name files that become filesystem paths, so a hostile or broken model.json must not
 * be able to point outside its folder.
 */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.length > 500 || p.includes('\\') || p.includes('\0') || p.startsWith('/'))
    return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

const modelFileSchema = z.object({
  role: z.enum(['model', 'model_data', 'tokenizer', 'tokenizer_config']),
  path: z.string().refine(isSafeRelativePath, 'must be a relative path inside the model folder'),
  size: z.number().int().nonnegative().optional(),
  sha256: sha256.optional(),
});

/** Loose: other fields a producer adds (an export script's notes) are kept, not rejected. */
export const modelManifestSchema = z.looseObject({
  name: z.string().min(1),
  task: z.enum(['depth', 'detect']),
  architecture: z.enum(['depth-anything-v2', 'centernet', 'owlv2']),
  description: z.string().default(''),
  license: z.string().min(1),
  inputSize: z.number().int().positive(),
  depthOutput: z.enum(['inverse', 'meters']).optional(),
  labels: z.array(z.string()).optional(),
  files: z
    .array(modelFileSchema)
    .min(1)
    .refine((files) => files.some((f) => f.role === 'model'), 'must list a file with role "model"'),
  hub: z.object({ repo: z.string().min(1), revision: z.string().min(1) }).optional(),
  pulled: z
    .object({
      endpoint: z.string(),
      revision: z.string(),
      commit: z.string().optional(),
      pulledAt: z.string(),
      placedByHand: z.boolean().optional(),
    })
    .optional(),
});

export type ManifestRead =
  { kind: 'missing' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; manifest: ModelManifest };

export async function readManifest(dir: string): Promise<ManifestRead> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', reason: `${file}: ${(err as Error).message}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { kind: 'invalid', reason: `${file} is not JSON: ${(err as Error).message}` };
  }
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { kind: 'invalid', reason: `${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  return { kind: 'ok', manifest: parsed.data as ModelManifest };
}

/** Written beside the files and renamed into place, so a reader never sees half a manifest. */
export async function writeManifest(dir: string, manifest: ModelManifest): Promise<void> {
  const file = path.join(dir, MANIFEST_FILE);
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export async function removeManifest(dir: string): Promise<void> {
  await rm(path.join(dir, MANIFEST_FILE), { force: true });
}
