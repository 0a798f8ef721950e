/**
 * The GPU benchmark's summary: reads torch.json, ort.json, profile*.json and pool.json from one run's
 * folder and prints Markdown tables (throughput, latency, memory, ratios against PyTorch eager measured
 * in the same run, accuracy against PyTorch fp32, the targets of issue 8, the profile, the worker path).
 */

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface Row {
  model: string;
  runtime: string;
  batch: number;
  imgPerS?: number;
  p50ms?: number;
  p99ms?: number;
  memMiB?: number;
  /** PyTorch only: img/s with the host copies onnxruntime-node makes (float32 CPU tensor in, CPU out). */
  hostImgPerS?: number;
  note?: string;
}

type Json = Record<string, unknown>;

function load(file: string): Json | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : undefined;
}

const f = (v: number | undefined, d = 1) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));
const g = (v: number | undefined) => (v === undefined ? '-' : v.toExponential(1));

function rowsOf(torch: Json | undefined, ortRes: Json | undefined): Row[] {
  const rows: Row[] = [];
  for (const [model, entry] of Object.entries((torch?.models ?? {}) as Record<string, { runs: Json[] }>)) {
    for (const r of entry.runs) {
      const runtime = `PyTorch eager ${String(r.dtype)}${r.cudnnBenchmark ? ' (cudnn.benchmark)' : ''}`;
      rows.push({
        model,
        runtime,
        batch: Number(r.batch),
        imgPerS: r.imgPerS as number | undefined,
        p50ms: r.p50ms as number | undefined,
        p99ms: r.p99ms as number | undefined,
        memMiB: r.maxMemoryAllocatedMiB as number | undefined,
        hostImgPerS: (r.withHostCopies as { imgPerS?: number } | undefined)?.imgPerS,
        note: (r.skipped ?? r.error) as string | undefined,
      });
    }
  }
  for (const run of (ortRes?.runs ?? []) as Json[]) {
    const runtime = `ORT-node ${String(run.provider)} ${String(run.variant)}`;
    if (run.error || run.skipped) {
      rows.push({ model: String(run.model), runtime, batch: 0, note: String(run.error ?? run.skipped) });
      continue;
    }
    for (const b of (run.batches ?? []) as Json[]) {
      const mem = b.gpuMemory as { processMiB?: number } | undefined;
      rows.push({
        model: String(run.model),
        runtime,
        batch: Number(b.batch),
        imgPerS: b.imgPerS as number | undefined,
        p50ms: b.p50ms as number | undefined,
        p99ms: b.p99ms as number | undefined,
        memMiB: (b.sessionMemMiB as number | undefined) ?? mem?.processMiB,
        note: (b.skipped ?? b.error) as string | undefined,
      });
    }
  }
  return rows;
}

function find(rows: Row[], model: string, runtime: string, batch: number): Row | undefined {
  return rows.find((r) => r.model === model && r.runtime === runtime && r.batch === batch && r.imgPerS);
}

function best(rows: Row[], model: string, runtime: string): Row | undefined {
  return rows
    .filter((r) => r.model === model && r.runtime === runtime && r.imgPerS)
    .sort((a, b) => b.imgPerS! - a.imgPerS!)[0];
}

export function renderReport(dir: string): string {
  const torch = load(path.join(dir, 'torch.json'));
  // ort*.json: one file per bench invocation (cuda; webgpu and cpu), runs concatenated.
  const ortFiles = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.startsWith('ort') && n.endsWith('.json'))
        .sort()
        .map((n) => load(path.join(dir, n))!)
    : [];
  const ortRes: Json | undefined = ortFiles.length
    ? { ...ortFiles[0], runs: ortFiles.flatMap((o) => (o.runs ?? []) as Json[]) }
    : undefined;
  const pool = load(path.join(dir, 'pool.json'));
  const profiles = existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => n.startsWith('profile') && n.endsWith('.json'))
        .map((n) => load(path.join(dir, n))!)
    : [];
  const rows = rowsOf(torch, ortRes);
  const out: string[] = [];
  const machine = (ortRes?.machine ?? {}) as Json;
  out.push(
    `Run ${String(ortRes?.date ?? torch?.date ?? '?')}: ${String(machine.gpu ?? torch?.gpu ?? '?')}; ` +
      `${String(machine.cpus ?? '?')} CPUs; node ${String(machine.node ?? '?')}, onnxruntime-node ${String(machine.onnxruntimeNode ?? '?')}; ` +
      `torch ${String(torch?.torch ?? '?')} (CUDA ${String(torch?.cuda ?? '?')}, cuDNN ${String(torch?.cudnn ?? '?')}), transformers ${String(torch?.transformers ?? '?')}.`,
    '',
  );
  for (const model of [...new Set(rows.map((r) => r.model))]) {
    out.push(
      `### ${model}`,
      '',
      '| runtime | batch | img/s | p50 ms | p99 ms | GPU MiB | vs PyTorch fp16 (same batch) | vs PyTorch fp16 with host copies | vs PyTorch fp32 |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const r of rows.filter((x) => x.model === model)) {
      if (!r.imgPerS) {
        out.push(`| ${r.runtime} | ${r.batch || '-'} | - | - | - | - | ${(r.note ?? '').slice(0, 90)} | | |`);
        continue;
      }
      const t16 = find(rows, model, 'PyTorch eager fp16', r.batch);
      const t32 = find(rows, model, 'PyTorch eager fp32', r.batch);
      const host = r.hostImgPerS ? ` (${f(r.hostImgPerS)} with host copies)` : '';
      out.push(
        `| ${r.runtime} | ${r.batch} | ${f(r.imgPerS)}${host} | ${f(r.p50ms, 2)} | ${f(r.p99ms, 2)} | ${f(r.memMiB, 0)} | ` +
          `${t16 ? f(r.imgPerS / t16.imgPerS!, 2) + 'x' : '-'} | ` +
          `${t16?.hostImgPerS ? f(r.imgPerS / t16.hostImgPerS, 2) + 'x' : '-'} | ` +
          `${t32 ? f(r.imgPerS / t32.imgPerS!, 2) + 'x' : '-'} |`,
      );
    }
    out.push('');
  }

  // Targets (issue 8), DAv2-Small.
  const m = 'dav2-small';
  // fp16: the plain conversion, the one with the attention fused (scripts/gpu/fuse_attention.py) and that
  // with float16 input and output (the adapter converts in its prepare step, so it is the product path too)
  const cuda16 = [
    'ORT-node cuda fp16',
    'ORT-node cuda fp16-mha',
    'ORT-node cuda fp16-mha-io16',
    'ORT-node cuda fp16-mha-io16-sln',
    'ORT-node cuda fp16-mha-io16-nhwc',
    'ORT-node cuda fp16-mha-io16-sln-nhwc',
  ];
  const o16 = cuda16
    .map((rt) => best(rows, m, rt))
    .filter(Boolean)
    .sort((a, b) => b!.imgPerS! - a!.imgPerS!)[0];
  const t16 = best(rows, m, 'PyTorch eager fp16');
  const o1 = [...cuda16, 'ORT-node cuda fp32']
    .map((rt) => find(rows, m, rt, 1))
    .filter(Boolean)
    .sort((a, b) => a!.p50ms! - b!.p50ms!)[0];
  const t1h = find(rows, m, 'PyTorch eager fp16', 1);
  const t1f = find(rows, m, 'PyTorch eager fp32', 1);
  out.push('### Targets (Depth Anything V2 Small)', '');
  if (o16 && t16) {
    const ratio = o16.imgPerS! / t16.imgPerS!;
    out.push(
      `- Throughput, ${o16.runtime} at its best batch (${o16.batch}: ${f(o16.imgPerS)} img/s) vs PyTorch eager fp16 at its best batch ` +
        `(${t16.batch}: ${f(t16.imgPerS)} img/s): **${f(ratio, 2)}x** (target >= 1.0x: ${ratio >= 1 ? 'met' : 'missed'}; milestone 0.8x: ${ratio >= 0.8 ? 'met' : 'missed'}).`,
    );
    const hosts = rows.filter((r) => r.model === m && r.runtime === 'PyTorch eager fp16' && r.hostImgPerS);
    const bestHost = hosts.sort((a, b) => b.hostImgPerS! - a.hostImgPerS!)[0];
    if (bestHost) {
      out.push(
        `- The same against PyTorch eager fp16 with the host copies onnxruntime-node makes (float32 CPU tensor in, ` +
          `CPU tensor out; best batch ${bestHost.batch}: ${f(bestHost.hostImgPerS)} img/s): ${f(o16.imgPerS! / bestHost.hostImgPerS!, 2)}x.`,
      );
    }
  }
  if (o1 && (t1h || t1f)) {
    for (const t of [t1h, t1f].filter(Boolean) as Row[]) {
      const ratio = o1.p50ms! / t.p50ms!;
      out.push(
        `- Batch-1 latency, ${o1.runtime} p50 ${f(o1.p50ms, 2)} ms vs ${t.runtime} p50 ${f(t.p50ms, 2)} ms: **${f(ratio, 2)}x** ` +
          `(target <= 0.5x: ${ratio <= 0.5 ? 'met' : 'missed'}).`,
      );
    }
  }
  out.push('');

  // Accuracy.
  out.push(
    '### Accuracy against PyTorch fp32 (TF32 off), same adapter-prepared batch',
    '',
    '| model | runtime | output | rel. L2 | rel. L2 (centred) | max abs | <= 1e-2 |',
    '| --- | --- | --- | ---: | ---: | ---: | --- |',
  );
  for (const run of (ortRes?.runs ?? []) as Json[]) {
    const acc = ((run.batches as Json[] | undefined)?.find((b) => b.accuracy)?.accuracy ?? run.accuracy) as
      Record<string, { relL2: number; relL2Centered: number; maxAbs: number; finite: boolean }> | undefined;
    if (!acc || 'error' in acc) continue;
    for (const [name, a] of Object.entries(acc)) {
      out.push(
        `| ${String(run.model)} | ${String(run.provider)} ${String(run.variant)} | ${name} | ${g(a.relL2)} | ${g(a.relL2Centered)} | ${g(a.maxAbs)} | ${a.finite && a.relL2 <= 1e-2 ? 'yes' : '**no**'} |`,
      );
    }
  }
  for (const [model, entry] of Object.entries((torch?.models ?? {}) as Record<string, Json>)) {
    for (const [label, k] of [
      ['PyTorch fp16', 'torchFp16RelErr'],
      ['PyTorch fp32 (TF32 convs)', 'torchFp32DefaultRelErr'],
    ] as const) {
      for (const [name, e] of Object.entries((entry[k] ?? {}) as Record<string, number>)) {
        out.push(`| ${model} | ${label} | ${name} | ${g(e)} | | | ${e <= 1e-2 ? 'yes' : '**no**'} |`);
      }
    }
  }
  out.push('');

  for (const p of profiles) {
    for (const b of (p.batches ?? []) as Json[]) {
      if (b.error) continue;
      out.push(
        `### onnxruntime profile: ${String(p.model)} ${String(p.variant)} ${String(p.provider)}, batch ${String(b.batch)} (CUDA_LAUNCH_BLOCKING=${String(p.cudaLaunchBlocking)})`,
        '',
        `Run p50 ${f(b.runMsP50 as number, 2)} ms; sum of node times ${f(b.kernelMsPerRun as number, 2)} ms per run.`,
        '',
        '| op type | nodes | ms/run | share |',
        '| --- | ---: | ---: | ---: |',
      );
      for (const o of ((b.opTypes ?? []) as Json[]).slice(0, 12)) {
        out.push(
          `| ${String(o.op)} | ${String(o.nodes)} | ${f(o.msPerRun as number, 3)} | ${f((o.share as number) * 100, 1)}% |`,
        );
      }
      out.push('');
    }
  }

  if (pool) {
    out.push(
      `### Worker path (WorkerPool): ${String(pool.model)} ${String(pool.variant)} on ${String(pool.provider)}, all requests submitted at once (${String(pool.requestsPerWorker)} per worker, at least ${String(pool.minRequests)})`,
      '',
      '| workers x max batch | requests | img/s | sequential p50 / p99 ms | worker prepare / run / finish ms per image | model runs |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const c of (pool.configs ?? []) as Json[]) {
      const w = c.workerMsPerImage as { prepare: number; run: number; finish: number } | undefined;
      out.push(
        c.imgPerS
          ? `| ${String(c.workers)} x ${String(c.maxBatch)} | ${String(c.requests)} | ${f(c.imgPerS as number)} | ${f(c.sequentialP50ms as number, 1)} / ${f(c.sequentialP99ms as number, 1)} | ${f(w?.prepare, 1)} / ${f(w?.run, 1)} / ${f(w?.finish, 1)} | ${String(c.modelRuns)} |`
          : `| ${String(c.workers)} x ${String(c.maxBatch)} | - | - | ${String(c.error ?? c.skipped)} | | |`,
      );
    }
    out.push('');
  }
  return out.join('\n');
}

export function writeReport(dir: string, outFile?: string): void {
  const text = renderReport(dir);
  writeFileSync(outFile ?? path.join(dir, 'summary.md'), `${text}\n`);
  console.log(text);
}
