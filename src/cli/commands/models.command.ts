import { Command } from 'commander';
import { Presets, SingleBar } from 'cli-progress';
import { ModelStore, modelStoreFromConfig, PullEvent, VerifyReport } from '../../../inference/models/cache';
import { entryArchitecture, entryName, entryTask, RegistryEntry } from '../../../inference/models/registry';
import { loadConfig } from '../../config/config';
import { AppError, EnvironmentError, UserInputError } from '../../errors/errors';

/** SI units, as the hub shows sizes. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '))
    .join('\n');
}

function licenseOf(e: RegistryEntry, bundledLicense?: string): string {
  return e.kind === 'hub' ? e.spec.license : (bundledLicense ?? '?');
}

async function listModels(store: ModelStore, json: boolean): Promise<void> {
  const rows: string[][] = [['NAME', 'TASK', 'ARCHITECTURE', 'SIZE', 'LICENCE', 'STATUS']];
  const out: Record<string, unknown>[] = [];
  for (const e of store.registry) {
    const name = entryName(e);
    const s = await store.status(name);
    let license: string | undefined;
    if (e.kind === 'bundled') {
      license = await store.resolve(name).then(
        (r) => r.spec.license,
        () => undefined,
      );
    }
    const size =
      s.bytes !== undefined
        ? formatBytes(s.bytes)
        : e.kind === 'hub'
          ? `~${formatBytes(e.approxBytes)}`
          : '?';
    const status =
      s.detail && s.status !== 'pulled' && s.status !== 'bundled' ? `${s.status} (${s.detail})` : s.status;
    rows.push([name, entryTask(e), entryArchitecture(e), size, licenseOf(e, license), status]);
    out.push({
      name,
      kind: e.kind,
      task: entryTask(e),
      architecture: entryArchitecture(e),
      bytes: s.bytes ?? (e.kind === 'hub' ? e.approxBytes : undefined),
      exactSize: s.bytes !== undefined,
      license: licenseOf(e, license),
      status: s.status,
      detail: s.detail,
      dir: store.folderOf(name),
      ...(e.kind === 'hub' ? { repo: e.spec.hub.repo, revision: e.spec.hub.revision } : {}),
    });
  }
  if (json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${table(rows)}\n`);
  process.stdout.write(
    `\nMODEL_DIR: ${store.modelDir}\n` +
      'Pull a model with `scenegraph models pull NAME`; check files with `scenegraph models verify [NAME]`.\n',
  );
}

function progressReporter(name: string): { onEvent: (e: PullEvent) => void; stop: () => void } {
  const bar = new SingleBar(
    {
      format: `pull ${name} {file} [{bar}] {percentage}% | {done}/{size} | {speed}`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 5000,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  let active = false;
  let started = 0;
  let startBytes: number | undefined;
  const stop = () => {
    if (active) bar.stop();
    active = false;
  };
  const onEvent = (e: PullEvent) => {
    if (e.kind === 'start') {
      stop();
      started = Date.now();
      startBytes = undefined;
      bar.start(e.total ?? 0, 0, {
        file: e.file,
        done: formatBytes(0),
        size: e.total ? formatBytes(e.total) : '?',
        speed: '',
      });
      active = true;
    } else if (e.kind === 'progress') {
      startBytes ??= e.resumedFrom;
      const secs = Math.max((Date.now() - started) / 1000, 1e-3);
      const speed = `${formatBytes(Math.round((e.received - startBytes) / secs))}/s`;
      if (e.total !== undefined && bar.getTotal() !== e.total) bar.setTotal(e.total);
      bar.update(e.received, {
        file: e.file,
        done: formatBytes(e.received),
        size: e.total !== undefined ? formatBytes(e.total) : '?',
        speed: e.resumedFrom > 0 ? `${speed}, resumed at ${formatBytes(e.resumedFrom)}` : speed,
      });
    } else {
      stop();
    }
  };
  return { onEvent, stop };
}

async function pullModels(store: ModelStore, names: string[]): Promise<void> {
  const failures: string[] = [];
  for (const name of names) {
    const progress = progressReporter(name);
    try {
      const r = await store.pull(name, { onEvent: progress.onEvent });
      progress.stop();
      if (r.outcome === 'bundled') {
        process.stdout.write(`${name}: bundled with the repository (${r.dir}); nothing to pull\n`);
        continue;
      }
      for (const f of r.files) {
        process.stdout.write(
          `${name}: ${f.path} ${formatBytes(f.size)} sha256 ${f.sha256}${f.reused ? ' (already in place)' : ''}\n`,
        );
      }
      process.stdout.write(`${name}: pulled into ${r.dir}\n`);
    } catch (err) {
      progress.stop();
      if (!(err instanceof AppError) || names.length === 1) throw err;
      process.stderr.write(`scenegraph: ${err.message}\n`);
      failures.push(name);
    }
  }
  if (failures.length > 0) {
    throw new EnvironmentError(
      `${failures.length} of ${names.length} models were not pulled: ${failures.join(', ')}`,
    );
  }
}

const STATE_LABEL: Record<string, string> = {
  ok: 'ok',
  missing: 'MISSING',
  partial: 'PARTIAL',
  'size-mismatch': 'SIZE',
  'sha256-mismatch': 'MISMATCH',
  unverifiable: 'UNVERIFIED',
};

function printReport(r: VerifyReport): void {
  process.stdout.write(`${r.name}: ${r.ok ? 'ok' : 'PROBLEM'} (${r.status})${r.note ? `: ${r.note}` : ''}\n`);
  for (const f of r.files) {
    const label = (STATE_LABEL[f.state] ?? f.state).padEnd(10);
    let text: string;
    switch (f.state) {
      case 'ok':
        text = `${f.path}  ${f.actualSize ?? '?'} bytes${f.actualSha256 ? `  sha256 ${f.actualSha256}` : ''}${f.expectedSha256 ? '' : ' (no checksum recorded; present)'}`;
        break;
      case 'missing':
        text = `${f.path}: not at ${f.localPath}`;
        break;
      case 'partial':
        text = `${f.path}: ${f.partBytes} bytes of an interrupted download; \`scenegraph models pull ${r.name}\` resumes it`;
        break;
      case 'size-mismatch':
        text = `${f.path}: ${f.actualSize} bytes, expected ${f.expectedSize} (${f.localPath})`;
        break;
      case 'sha256-mismatch':
        text = `${f.path}: sha256 ${f.actualSha256}, expected ${f.expectedSha256 ?? '(see below)'}${f.reason ? `; ${f.reason}` : ''} (${f.localPath})`;
        break;
      case 'unverifiable':
        text = `${f.path}: ${f.reason}`;
        break;
    }
    process.stdout.write(`  ${label}${text}\n`);
  }
}

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description(
      'The model registry: list models, pull them from the Hugging Face hub (HF_ENDPOINT), verify files',
    );

  models
    .command('list')
    .description(
      'Every registered model with its task, size, licence and status (bundled, pulled, not pulled, ...)',
    )
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => {
      await listModels(modelStoreFromConfig(loadConfig()), opts.json === true);
    });

  models
    .command('pull')
    .description(
      'Download models into MODEL_DIR, resuming interrupted downloads; every file is checksum-verified',
    )
    .argument('[names...]', 'registry names (see `scenegraph models list`)')
    .option('--all', 'every hub-hosted model (several GB)')
    .action(async (names: string[], opts: { all?: boolean }) => {
      const store = modelStoreFromConfig(loadConfig());
      if (opts.all && names.length > 0)
        throw new UserInputError('give model names or --all, not both', '--all');
      const selected = opts.all
        ? store.registry.filter((e) => e.kind === 'hub').map(entryName)
        : [...new Set(names)];
      if (selected.length === 0) throw new UserInputError('name at least one model, or pass --all', 'NAME');
      for (const n of selected) store.entry(n); // unknown names fail before anything downloads
      await pullModels(store, selected);
    });

  models
    .command('verify')
    .description(
      'Recompute the sha256 of every file of a model (default: every model on disk); exit 3 on any problem',
    )
    .argument('[name]', 'registry name')
    .action(async (name: string | undefined) => {
      const store = modelStoreFromConfig(loadConfig());
      if (name) store.entry(name); // an unknown name is bad input (exit 2)
      const names = name ? [name] : await store.presentModels();
      const bad: string[] = [];
      for (const n of names) {
        process.stderr.write(`checking ${n}...\n`);
        const r = await store.verify(n);
        printReport(r);
        if (!r.ok) bad.push(n);
      }
      if (bad.length > 0) {
        throw new EnvironmentError(
          `problems found in ${bad.length} model${bad.length === 1 ? '' : 's'}: ${bad.join(', ')}`,
        );
      }
    });
}
