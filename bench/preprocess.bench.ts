/**
 * Pre- and post-processing cost per image on one CPU thread: the adapters' functions that run in an
 * inference worker around each model run, on seeded random RGB images (the cost does not depend on the
 * content). Reports per call the median, p90 and minimum wall milliseconds, the median CPU time of the
 * thread (the figure to compare when other processes share the cores), and a hash of each output's
 * bytes, so two builds can be checked for identical tensors as well as timed.
 *
 *   npm run build && node dist/bench/preprocess.bench.js [--reps 30] [--only depth] [--out FILE.json]
 *
 * Cases: Depth Anything V2 `prepare` (Pillow bicubic to 518 px keeping the aspect ratio, ImageNet
 * normalisation, CHW) and `finish` (the 518 px output resized back, torch bicubic) for 640x480 and
 * 1920x1080 inputs; CenterNet `prepare` (pad to a square, Pillow bilinear to 512, NHWC); OWLv2 `prepare`
 * (pad, Gaussian antialiasing, linear resize to 960, CHW); and last, the three steps a worker with the
 * default detector and a depth model runs per image (CenterNet prepare, depth prepare and finish).
 */

import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { depthInputSize, postprocessDepth, preprocessDepth } from '../inference/adapters/depthAnything';
import { preprocessCenterNet } from '../inference/adapters/centernet';
import { preprocessOwl } from '../inference/adapters/owlv2';
import type { RgbImage } from '../inference/adapters/adapter';
import { seeded } from './random';

interface Case {
  name: string;
  reps: number;
  run: () => Float32Array;
}

interface Row {
  name: string;
  medianMs: number;
  p90Ms: number;
  minMs: number;
  /** Median CPU time of this thread per call (user + system): robust when other processes share the cores. */
  cpuMedianMs: number;
  reps: number;
  outputHash: string;
}

function parseArgs(argv: string[]): { reps: number; only?: string; out?: string } {
  const opts: { reps: number; only?: string; out?: string } = { reps: 30 };
  for (let i = 0; i < argv.length; i++) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--reps') opts.reps = Number(value);
    else if (key === '--only') opts.only = value;
    else if (key === '--out') opts.out = value;
    else throw new Error(`unknown option ${key} (expected --reps N, --only TEXT, --out FILE)`);
    i++;
  }
  if (!Number.isInteger(opts.reps) || opts.reps < 1) throw new Error('--reps must be a positive integer');
  return opts;
}

function image(width: number, height: number, seed: number): RgbImage {
  const next = seeded(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * 256);
  return { width, height, data };
}

/** FNV-1a over the output's bytes: equal hashes mean bit-identical tensors. */
function hash(values: Float32Array): string {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

function measure(c: Case): Row {
  let out = c.run();
  for (let i = 0; i < 2; i++) out = c.run();
  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < c.reps; i++) {
    const t = performance.now();
    const u = process.cpuUsage();
    out = c.run();
    const du = process.cpuUsage(u);
    times.push(performance.now() - t);
    cpu.push((du.user + du.system) / 1000);
  }
  const at = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  };
  return {
    name: c.name,
    medianMs: at(times, 0.5),
    p90Ms: at(times, 0.9),
    minMs: at(times, 0),
    cpuMedianMs: at(cpu, 0.5),
    reps: c.reps,
    outputHash: hash(out),
  };
}

function cases(reps: number): Case[] {
  const list: Case[] = [];
  for (const [w, h] of [
    [640, 480],
    [1920, 1080],
  ] as const) {
    const img = image(w, h, w * 7 + h);
    const size = depthInputSize(w, h, 518);
    const rawNext = seeded(h);
    const raw = new Float32Array(size.width * size.height);
    for (let i = 0; i < raw.length; i++) raw[i] = rawNext() * 10;
    const output = { type: 'float32' as const, data: raw, dims: [1, size.height, size.width] };
    list.push(
      {
        name: `depth prepare ${w}x${h} -> ${size.width}x${size.height}`,
        reps,
        run: () => preprocessDepth(img, 518).data,
      },
      {
        name: `depth finish ${size.width}x${size.height} -> ${w}x${h}`,
        reps,
        run: () => postprocessDepth(output, w, h, 'bench'),
      },
      { name: `centernet prepare ${w}x${h} -> 512x512`, reps, run: () => preprocessCenterNet(img, 512).data },
      {
        name: `owlv2 prepare ${w}x${h} -> 960x960`,
        reps: Math.max(1, Math.ceil(reps / 5)),
        run: () => preprocessOwl(img, 960).data,
      },
    );
  }
  // What a worker running both models does per image, after all the steps above have run in this
  // process (as in a worker, every function has seen every input type by then).
  for (const [w, h] of [
    [640, 480],
    [1920, 1080],
  ] as const) {
    const img = image(w, h, w * 7 + h);
    const size = depthInputSize(w, h, 518);
    const output = {
      type: 'float32' as const,
      data: new Float32Array(size.width * size.height).fill(1),
      dims: [1, size.height, size.width],
    };
    list.push({
      name: `worker steps ${w}x${h} (3 above, per image)`,
      reps,
      run: () => {
        preprocessCenterNet(img, 512);
        preprocessDepth(img, 518);
        return postprocessDepth(output, w, h, 'bench');
      },
    });
  }
  return list;
}

function main(): void {
  const opts = parseArgs(process.argv.slice(2));
  const rows: Row[] = [];
  for (const c of cases(opts.reps)) {
    if (opts.only && !c.name.includes(opts.only)) continue;
    const row = measure(c);
    rows.push(row);
    console.log(
      `${row.name.padEnd(44)} median ${row.medianMs.toFixed(2).padStart(8)} ms  min ${row.minMs.toFixed(2).padStart(8)}  cpu ${row.cpuMedianMs.toFixed(2).padStart(8)}  out ${row.outputHash}`,
    );
  }
  if (opts.out) {
    const cpu = os.cpus()[0]?.model ?? 'unknown';
    writeFileSync(
      opts.out,
      JSON.stringify({ date: new Date().toISOString(), node: process.version, cpu, rows }, null, 2) + '\n',
    );
  }
}

main();
