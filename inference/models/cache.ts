/**
 * Where models live on disk and what state they are in.
 *
 *   MODEL_DIR/<name>/<file path>        a hub model's files, as the registry names them
 *   MODEL_DIR/<name>/<file path>.part   a download in progress (resumed by the next pull)
 *   MODEL_DIR/<name>/model.json         written last, after every file was checked (manifest.ts)
 *   MODEL_DIR/<name>/.pull.lock         held while a pull runs
 *   <project>/<dir>/model.json          a bundled model (committed with its files)
 *
 * `resolve` is what inference calls: it is quick (no hashing, no network) and either returns the folder,
 * the spec and the provenance to record, or throws a typed error saying which command fixes it. `verify`
 * rehashes every file; `pull` downloads what is missing. Nothing here runs unless called: no model is
 * downloaded at start-up.
 */

import { constants } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../../src/config/config';
import { PROJECT_ROOT } from '../../src/paths';
import { hashFile } from './checksum';
import { downloadFile, DownloadProgress, ExpectedFile, partPathOf } from './download';
import {
  HubFileRef,
  HubRefusedError,
  HubUnreachableError,
  ModelNotPulledError,
  ModelUnusableError,
  PullInProgressError,
} from './errors';
import { fetchHubFileInfo, HubClientOptions, HubFileInfo, hubFileUrl, normaliseEndpoint } from './hub';
import { isSafeRelativePath, ModelManifest, readManifest, removeManifest, writeManifest } from './manifest';
import type { ModelFile } from './modelSpec';
import { BundledEntry, getModel, HubEntry, MODEL_REGISTRY, RegistryEntry } from './registry';

export interface ModelStoreOptions {
  /** MODEL_DIR (absolute). */
  modelDir: string;
  /** Folder bundled models' `dir` is relative to. Default: the project root. */
  bundledRoot?: string;
  registry?: readonly RegistryEntry[];
  /** Needed by `pull`, and by `verify` of files placed by hand whose checksum is not pinned. */
  hub?: HubClientOptions;
}

/**
 * - `bundled`: committed with the repository, model.json and files present.
 * - `pulled`: model.json written by a verified pull, files present with their recorded sizes.
 * - `not pulled`: nothing on disk.
 * - `partial`: an interrupted download (`.part`); `pull` resumes it.
 * - `unverified`: files present without model.json (placed by hand); `verify` checks and adopts them.
 * - `outdated`: pulled from another revision or file list than the registry now names; `pull` again.
 * - `corrupt`: model.json present but a file is missing or has another size, or model.json is invalid.
 * - `missing`: a bundled model whose folder or model.json is not in the checkout.
 */
export type ModelStatus =
  'bundled' | 'pulled' | 'not pulled' | 'partial' | 'unverified' | 'outdated' | 'corrupt' | 'missing';

export interface StatusReport {
  name: string;
  status: ModelStatus;
  /** What is wrong, for the statuses that need a remedy. */
  detail?: string;
  /** Total bytes when known exactly (pinned sizes or the manifest). */
  bytes?: number;
}

/** What a result derived from a model records about it (SPEC 2.3: "recorded in the provenance"). */
export interface ModelProvenance {
  model: string;
  source: 'hub' | 'bundled';
  architecture: string;
  repo?: string;
  revision?: string;
  commit?: string;
  files: { path: string; sha256?: string }[];
}

export interface ResolvedModel {
  name: string;
  source: 'hub' | 'bundled';
  /** The model's folder: file paths in `spec.files` are relative to it. */
  dir: string;
  /** Absolute path of the ONNX graph (the file with role `model`). */
  file: string;
  spec: ModelManifest;
  provenance: ModelProvenance;
}

export type FileState = 'ok' | 'missing' | 'partial' | 'size-mismatch' | 'sha256-mismatch' | 'unverifiable';

export interface FileCheck {
  path: string;
  localPath: string;
  state: FileState;
  expectedSha256?: string;
  actualSha256?: string;
  expectedSize?: number;
  actualSize?: number;
  /** Bytes of an interrupted download, for `partial`. */
  partBytes?: number;
  /** Why a checksum could not be had, for `unverifiable`. */
  reason?: string;
}

export interface VerifyReport {
  name: string;
  source: 'hub' | 'bundled';
  ok: boolean;
  status: ModelStatus;
  files: FileCheck[];
  /** A sentence about the model as a whole (not pulled, manifest invalid, adopted). */
  note?: string;
  /** True when files placed by hand were verified and model.json written for them. */
  adopted?: boolean;
}

export type PullEvent =
  | { kind: 'start'; file: string; total?: number }
  | ({ kind: 'progress' } & DownloadProgress)
  | { kind: 'done'; file: string; size: number; reused: boolean };

export interface PullResult {
  name: string;
  /** `bundled`: nothing to do; `pulled`: files checked, model.json written. */
  outcome: 'bundled' | 'pulled';
  dir: string;
  files: { path: string; size: number; sha256: string; reused: boolean }[];
}

async function fileSize(p: string): Promise<number | undefined> {
  try {
    const s = await stat(p);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Files of a hub spec must stay inside the model folder; the registry test checks this too. */
function checkedPath(dir: string, file: ModelFile): string {
  if (!isSafeRelativePath(file.path)) throw new Error(`unsafe model file path: ${file.path}`);
  return path.join(dir, ...file.path.split('/'));
}

function sameFiles(a: readonly ModelFile[], b: readonly ModelFile[]): boolean {
  const key = (fs: readonly ModelFile[]) =>
    fs
      .map((f) => `${f.role}:${f.path}`)
      .sort()
      .join('|');
  return key(a) === key(b);
}

export class ModelStore {
  readonly modelDir: string;
  readonly bundledRoot: string;
  readonly registry: readonly RegistryEntry[];
  readonly hub?: HubClientOptions;

  constructor(opts: ModelStoreOptions) {
    this.modelDir = path.resolve(opts.modelDir);
    this.bundledRoot = opts.bundledRoot ?? PROJECT_ROOT;
    this.registry = opts.registry ?? MODEL_REGISTRY;
    this.hub = opts.hub;
  }

  entry(name: string): RegistryEntry {
    return getModel(name, this.registry);
  }

  /** The model's folder: MODEL_DIR/<name> for hub models, the repository folder for bundled ones. */
  folderOf(name: string): string {
    const e = this.entry(name);
    return e.kind === 'hub' ? path.join(this.modelDir, e.spec.name) : path.join(this.bundledRoot, e.dir);
  }

  /** URL and exact local path of each file of a hub model, as error messages and `models list` show them. */
  fileRefs(name: string): HubFileRef[] {
    const e = this.entry(name);
    if (e.kind !== 'hub') return [];
    const dir = this.folderOf(name);
    const endpoint = this.hub?.endpoint ?? 'https://huggingface.co';
    return e.spec.files.map((f) => ({
      model: e.spec.name,
      file: f.path,
      url: hubFileUrl(endpoint, e.spec.hub, f.path),
      localPath: checkedPath(dir, f),
    }));
  }

  // ---- resolve -------------------------------------------------------------------------------

  /** The model ready to load, or a typed error naming the command that makes it so. */
  async resolve(name: string): Promise<ResolvedModel> {
    const e = this.entry(name);
    return e.kind === 'hub' ? this.resolveHub(e) : this.resolveBundled(e);
  }

  private async resolveBundled(e: BundledEntry): Promise<ResolvedModel> {
    const dir = this.folderOf(e.name);
    const read = await readManifest(dir);
    if (read.kind === 'missing') {
      throw new ModelUnusableError(
        e.name,
        [`no model.json in ${dir}`],
        'the bundled model is missing from this checkout',
      );
    }
    if (read.kind === 'invalid')
      throw new ModelUnusableError(e.name, [read.reason], 'fix the bundled model.json');
    const spec = read.manifest;
    const problems: string[] = [];
    if (spec.name !== e.name) problems.push(`model.json names "${spec.name}", the registry "${e.name}"`);
    if (spec.task !== e.task || spec.architecture !== e.architecture) {
      problems.push(
        `model.json says ${spec.task}/${spec.architecture}, the registry ${e.task}/${e.architecture}`,
      );
    }
    problems.push(...(await this.presenceProblems(dir, spec.files)));
    if (problems.length > 0) {
      throw new ModelUnusableError(
        e.name,
        problems,
        `fix the bundled model in ${dir} (\`scenegraph models verify ${e.name}\`)`,
      );
    }
    return this.resolved(e.name, 'bundled', dir, spec);
  }

  private async resolveHub(e: HubEntry): Promise<ResolvedModel> {
    const name = e.spec.name;
    const dir = this.folderOf(name);
    const read = await readManifest(dir);
    if (read.kind === 'invalid') {
      throw new ModelUnusableError(name, [read.reason], `run \`scenegraph models pull ${name}\``);
    }
    if (read.kind === 'missing') {
      const present = await this.presentFiles(e);
      if (present.length === 0) throw new ModelNotPulledError(name);
      throw new ModelUnusableError(
        name,
        [`${present.join(', ')} present in ${dir} but not verified`],
        `run \`scenegraph models verify ${name}\` (or \`scenegraph models pull ${name}\`)`,
      );
    }
    const spec = read.manifest;
    const stale = this.staleness(e, spec);
    if (stale) throw new ModelUnusableError(name, [stale], `run \`scenegraph models pull ${name}\``);
    const problems = await this.presenceProblems(dir, spec.files);
    if (problems.length > 0) {
      throw new ModelUnusableError(name, problems, `run \`scenegraph models pull ${name}\` to repair it`);
    }
    return this.resolved(name, 'hub', dir, spec);
  }

  private resolved(name: string, source: 'hub' | 'bundled', dir: string, spec: ModelManifest): ResolvedModel {
    const model = spec.files.find((f) => f.role === 'model')!;
    return {
      name,
      source,
      dir,
      file: checkedPath(dir, model),
      spec,
      provenance: {
        model: name,
        source,
        architecture: spec.architecture,
        repo: spec.hub?.repo,
        revision: spec.pulled?.revision ?? spec.hub?.revision,
        commit: spec.pulled?.commit,
        files: spec.files.map((f) => ({ path: f.path, sha256: f.sha256 })),
      },
    };
  }

  /** Registry and manifest disagree on revision or files: the pull predates a registry change. */
  private staleness(e: HubEntry, m: ModelManifest): string | undefined {
    if (m.hub?.repo !== e.spec.hub.repo || m.hub?.revision !== e.spec.hub.revision) {
      return `pulled from ${m.hub?.repo ?? '?'}@${m.hub?.revision ?? '?'}, the registry now names ${e.spec.hub.repo}@${e.spec.hub.revision}`;
    }
    if (!sameFiles(m.files, e.spec.files)) return 'the registry now lists other files than were pulled';
    for (const f of e.spec.files) {
      const got = m.files.find((g) => g.path === f.path);
      if (f.sha256 && got?.sha256 !== f.sha256)
        return `${f.path} was pulled with sha256 ${got?.sha256}, the registry pins ${f.sha256}`;
    }
    return undefined;
  }

  /** Cheap check: every file exists, with its recorded size where one is recorded. */
  private async presenceProblems(dir: string, files: readonly ModelFile[]): Promise<string[]> {
    const problems: string[] = [];
    for (const f of files) {
      const size = await fileSize(checkedPath(dir, f));
      if (size === undefined) problems.push(`${f.path} is missing`);
      else if (f.size !== undefined && size !== f.size)
        problems.push(`${f.path} has ${size} bytes, not ${f.size}`);
    }
    return problems;
  }

  private async presentFiles(e: HubEntry): Promise<string[]> {
    const dir = this.folderOf(e.spec.name);
    const out: string[] = [];
    for (const f of e.spec.files) if ((await fileSize(checkedPath(dir, f))) !== undefined) out.push(f.path);
    return out;
  }

  private async partFiles(e: HubEntry): Promise<string[]> {
    const dir = this.folderOf(e.spec.name);
    const out: string[] = [];
    for (const f of e.spec.files)
      if ((await fileSize(partPathOf(checkedPath(dir, f)))) !== undefined) out.push(f.path);
    return out;
  }

  // ---- status ----------------------------------------------------------------------------------

  /** State without hashing or network, for `models list`. */
  async status(name: string): Promise<StatusReport> {
    const e = this.entry(name);
    const dir = this.folderOf(name);
    const read = await readManifest(dir);
    const sum = (files: readonly ModelFile[]) =>
      files.every((f) => f.size !== undefined) ? files.reduce((s, f) => s + (f.size ?? 0), 0) : undefined;
    if (e.kind === 'bundled') {
      if (read.kind === 'missing') return { name, status: 'missing', detail: `no model.json in ${dir}` };
      if (read.kind === 'invalid') return { name, status: 'corrupt', detail: read.reason };
      const problems = await this.presenceProblems(dir, read.manifest.files);
      const bytes = await this.onDiskBytes(dir, read.manifest.files);
      return problems.length > 0
        ? { name, status: 'corrupt', detail: problems.join('; '), bytes }
        : { name, status: 'bundled', bytes };
    }
    if (read.kind === 'invalid') return { name, status: 'corrupt', detail: read.reason };
    if (read.kind === 'ok') {
      const stale = this.staleness(e, read.manifest);
      if (stale) return { name, status: 'outdated', detail: stale, bytes: sum(read.manifest.files) };
      const problems = await this.presenceProblems(dir, read.manifest.files);
      return problems.length > 0
        ? { name, status: 'corrupt', detail: problems.join('; '), bytes: sum(read.manifest.files) }
        : { name, status: 'pulled', bytes: sum(read.manifest.files) };
    }
    const parts = await this.partFiles(e);
    if (parts.length > 0)
      return {
        name,
        status: 'partial',
        detail: `interrupted download of ${parts.join(', ')}`,
        bytes: sum(e.spec.files),
      };
    const present = await this.presentFiles(e);
    if (present.length > 0)
      return {
        name,
        status: 'unverified',
        detail: `${present.join(', ')} present, not verified`,
        bytes: sum(e.spec.files),
      };
    return { name, status: 'not pulled', bytes: sum(e.spec.files) };
  }

  private async onDiskBytes(dir: string, files: readonly ModelFile[]): Promise<number | undefined> {
    let total = 0;
    for (const f of files) {
      const s = await fileSize(checkedPath(dir, f));
      if (s === undefined) return undefined;
      total += s;
    }
    return total;
  }

  // ---- verify ----------------------------------------------------------------------------------

  /**
   * Rehashes every file. A hub model is checked against its model.json (and the registry's pins); files
   * placed by hand, without model.json, against the registry's pins or else the hub's metadata, and on
   * success model.json is written for them. A bundled model is checked against its committed model.json.
   */
  async verify(name: string, opts: { onFile?: (file: string) => void } = {}): Promise<VerifyReport> {
    const e = this.entry(name);
    const dir = this.folderOf(name);
    const read = await readManifest(dir);
    const source = e.kind;
    if (read.kind === 'invalid') {
      return { name, source, ok: false, status: 'corrupt', files: [], note: read.reason };
    }
    if (e.kind === 'bundled') {
      if (read.kind === 'missing') {
        return { name, source, ok: false, status: 'missing', files: [], note: `no model.json in ${dir}` };
      }
      const files = await this.checkFiles(dir, read.manifest.files, new Map(), opts.onFile);
      const ok = files.every((f) => f.state === 'ok');
      return { name, source, ok, status: ok ? 'bundled' : 'corrupt', files };
    }
    if (read.kind === 'ok') {
      const stale = this.staleness(e, read.manifest);
      const files = await this.checkFiles(dir, read.manifest.files, new Map(), opts.onFile);
      const ok = !stale && files.every((f) => f.state === 'ok');
      return {
        name,
        source,
        ok,
        status: stale ? 'outdated' : ok ? 'pulled' : 'corrupt',
        files,
        note: stale ? `${stale}: run \`scenegraph models pull ${name}\`` : undefined,
      };
    }
    // No model.json: nothing pulled, or files placed by hand.
    const present = await this.presentFiles(e);
    const parts = await this.partFiles(e);
    if (present.length === 0 && parts.length === 0) {
      return {
        name,
        source,
        ok: false,
        status: 'not pulled',
        files: [],
        note: `not pulled: run \`scenegraph models pull ${name}\``,
      };
    }
    const known = await this.expectedForHandPlaced(e, present);
    const files = await this.checkFiles(dir, e.spec.files, known, opts.onFile);
    const ok = files.every((f) => f.state === 'ok');
    if (!ok) {
      return { name, source, ok, status: parts.length > 0 ? 'partial' : 'unverified', files };
    }
    await writeManifest(dir, {
      ...e.spec,
      files: e.spec.files.map((f) => {
        const c = files.find((x) => x.path === f.path)!;
        return { ...f, size: c.actualSize, sha256: c.actualSha256 };
      }),
      pulled: {
        endpoint: normaliseEndpoint(this.hub?.endpoint ?? 'https://huggingface.co'),
        revision: e.spec.hub.revision,
        pulledAt: new Date().toISOString(),
        placedByHand: true,
      },
    });
    return {
      name,
      source,
      ok,
      status: 'pulled',
      files,
      adopted: true,
      note: 'files placed by hand verified; model.json written',
    };
  }

  /**
   * Checksums for files placed by hand: the registry's pins, else the hub's listing. Unreachable hub:
   * an empty map for those files, which `checkFiles` reports as unverifiable with the reason.
   */
  private async expectedForHandPlaced(
    e: HubEntry,
    present: readonly string[],
  ): Promise<Map<string, Partial<HubFileInfo> & { reason?: string }>> {
    const out = new Map<string, Partial<HubFileInfo> & { reason?: string }>();
    const need: string[] = [];
    for (const f of e.spec.files) {
      if (f.sha256) out.set(f.path, { path: f.path, sha256: f.sha256, size: f.size });
      else if (present.includes(f.path)) need.push(f.path);
    }
    if (need.length === 0) return out;
    if (!this.hub) {
      for (const p of need) out.set(p, { reason: 'no checksum is pinned and no hub is configured' });
      return out;
    }
    const refs = this.fileRefs(e.spec.name).filter((r) => need.includes(r.file));
    try {
      const info = await fetchHubFileInfo(e.spec.hub, need, this.hub, refs);
      for (const [p, i] of info) out.set(p, i);
    } catch (err) {
      if (!(err instanceof HubUnreachableError || err instanceof HubRefusedError)) throw err;
      const why =
        err instanceof HubRefusedError ? `the hub answered HTTP ${err.status}` : 'the hub is unreachable';
      for (const p of need) {
        out.set(p, {
          reason: `no checksum is pinned for it and ${why}, so it cannot be checked; run verify where ${normaliseEndpoint(this.hub.endpoint)} is reachable, or copy model.json from a machine that pulled the model`,
        });
      }
    }
    return out;
  }

  private async checkFiles(
    dir: string,
    files: readonly ModelFile[],
    known: Map<string, Partial<HubFileInfo> & { reason?: string }>,
    onFile?: (file: string) => void,
  ): Promise<FileCheck[]> {
    const out: FileCheck[] = [];
    for (const f of files) {
      onFile?.(f.path);
      const localPath = checkedPath(dir, f);
      const k = known.get(f.path);
      const expectedSha256 = f.sha256 ?? k?.sha256;
      const expectedSize = f.size ?? k?.size;
      const base = { path: f.path, localPath, expectedSha256, expectedSize };
      const size = await fileSize(localPath);
      if (size === undefined) {
        const partBytes = await fileSize(partPathOf(localPath));
        out.push(
          partBytes !== undefined ? { ...base, state: 'partial', partBytes } : { ...base, state: 'missing' },
        );
        continue;
      }
      if (expectedSize !== undefined && size !== expectedSize) {
        out.push({ ...base, state: 'size-mismatch', actualSize: size });
        continue;
      }
      const gitOid = !expectedSha256 ? k?.gitOid : undefined;
      const h = await hashFile(localPath, { withGitSha1: gitOid !== undefined });
      const common = { ...base, actualSha256: h.sha256, actualSize: h.size };
      if (expectedSha256) {
        out.push({ ...common, state: h.sha256 === expectedSha256 ? 'ok' : 'sha256-mismatch' });
      } else if (gitOid) {
        out.push(
          h.gitSha1 === gitOid
            ? { ...common, state: 'ok' }
            : {
                ...common,
                state: 'sha256-mismatch',
                reason: `git blob id ${h.gitSha1}, the hub lists ${gitOid}`,
              },
        );
      } else if (k?.reason) {
        out.push({ ...common, state: 'unverifiable', reason: k.reason });
      } else {
        // A bundled file without a recorded checksum: git guards its integrity, presence is the check.
        out.push({ ...common, state: 'ok' });
      }
    }
    return out;
  }

  // ---- pull ------------------------------------------------------------------------------------

  /**
   * Downloads what is missing of a hub model, checks every file and writes model.json. Files already
   * in place with the right checksum are kept; interrupted downloads are resumed. Bundled models need
   * nothing. Throws the hub errors of errors.ts, each naming the files, their URLs and local paths.
   */
  async pull(name: string, opts: { onEvent?: (e: PullEvent) => void } = {}): Promise<PullResult> {
    const e = this.entry(name);
    const dir = this.folderOf(name);
    if (e.kind === 'bundled') return { name, outcome: 'bundled', dir, files: [] };
    if (!this.hub) throw new Error('ModelStore.pull needs hub options (endpoint)');
    const hub = this.hub;
    await mkdir(dir, { recursive: true });
    const release = await this.lock(name, dir);
    try {
      const refs = this.fileRefs(name);
      // A pinned sha256 is all a download needs; the hub's listing is asked only for the others.
      const needInfo = e.spec.files.filter((f) => !f.sha256).map((f) => f.path);
      const info = needInfo.length > 0 ? await fetchHubFileInfo(e.spec.hub, needInfo, hub, refs) : new Map();
      const expected = new Map<string, ExpectedFile>(
        e.spec.files.map((f) => {
          const i = info.get(f.path) as HubFileInfo | undefined;
          const sha256 = f.sha256 ?? i?.sha256;
          return [f.path, { sha256, size: f.size ?? i?.size, gitOid: sha256 ? undefined : i?.gitOid }];
        }),
      );

      // Keep files already in place whose checksum matches; everything else is (re)downloaded.
      const reusable = new Map<string, { size: number; sha256: string }>();
      for (const r of refs) {
        const exp = expected.get(r.file)!;
        const size = await fileSize(r.localPath);
        if (size === undefined) continue;
        if (exp.size === undefined || size === exp.size) {
          const h = await hashFile(r.localPath, { withGitSha1: exp.gitOid !== undefined });
          if (
            (exp.sha256 && h.sha256 === exp.sha256) ||
            (!exp.sha256 && exp.gitOid && h.gitSha1 === exp.gitOid)
          ) {
            reusable.set(r.file, { size: h.size, sha256: h.sha256 });
            continue;
          }
        }
        await rm(r.localPath, { force: true });
      }
      if (reusable.size < refs.length) await removeManifest(dir);

      let commit: string | undefined;
      const files: PullResult['files'] = [];
      for (const r of refs) {
        const exp = expected.get(r.file)!;
        const kept = reusable.get(r.file);
        if (kept) {
          opts.onEvent?.({ kind: 'done', file: r.file, size: kept.size, reused: true });
          files.push({ path: r.file, ...kept, reused: true });
          continue;
        }
        opts.onEvent?.({ kind: 'start', file: r.file, total: exp.size });
        const got = await downloadFile(r, exp, {
          ...hub,
          onProgress: (p) => opts.onEvent?.({ kind: 'progress', ...p }),
        });
        commit ??= got.commit;
        opts.onEvent?.({ kind: 'done', file: r.file, size: got.size, reused: false });
        files.push({ path: r.file, size: got.size, sha256: got.sha256, reused: false });
      }

      const previous = await readManifest(dir);
      await writeManifest(dir, {
        ...e.spec,
        files: e.spec.files.map((f) => {
          const got = files.find((x) => x.path === f.path)!;
          return { ...f, size: got.size, sha256: got.sha256 };
        }),
        pulled: {
          endpoint: normaliseEndpoint(hub.endpoint),
          revision: e.spec.hub.revision,
          commit:
            commit ??
            (previous.kind === 'ok' && previous.manifest.pulled?.revision === e.spec.hub.revision
              ? previous.manifest.pulled.commit
              : undefined),
          pulledAt: new Date().toISOString(),
        },
      });
      return { name, outcome: 'pulled', dir, files };
    } finally {
      await release();
    }
  }

  /** One pull per model folder at a time; a lock whose process is gone is taken over. */
  private async lock(name: string, dir: string): Promise<() => Promise<void>> {
    const lockPath = path.join(dir, '.pull.lock');
    for (let i = 0; i < 2; i++) {
      try {
        const h = await open(lockPath, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY);
        await h.writeFile(String(process.pid));
        await h.close();
        return () => rm(lockPath, { force: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number((await readFile(lockPath, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isPidAlive(pid)) {
          throw new PullInProgressError(name, pid, lockPath);
        }
        await rm(lockPath, { force: true });
      }
    }
    throw new PullInProgressError(name, 0, lockPath);
  }

  /** Names of hub models with anything in MODEL_DIR, and every bundled model: what `verify` checks by default. */
  async presentModels(): Promise<string[]> {
    const names: string[] = [];
    const dirs = new Set(await readdir(this.modelDir).catch(() => [] as string[]));
    for (const e of this.registry) {
      if (e.kind === 'bundled') names.push(e.name);
      else if (dirs.has(e.spec.name)) {
        const s = await this.status(e.spec.name);
        if (s.status !== 'not pulled') names.push(e.spec.name);
      }
    }
    return names;
  }
}

/** The store the CLI and the service use: MODEL_DIR and the hub settings from the configuration. */
export function modelStoreFromConfig(config: Config, extra: Partial<HubClientOptions> = {}): ModelStore {
  return new ModelStore({
    modelDir: config.modelDir,
    hub: { endpoint: config.models.hubEndpoint, token: config.models.hubToken, ...extra },
  });
}

/** Shorthand for inference: `resolveModel('depth-anything-v2-small', { modelDir: config.modelDir })`. */
export function resolveModel(name: string, opts: ModelStoreOptions): Promise<ResolvedModel> {
  return new ModelStore(opts).resolve(name);
}
