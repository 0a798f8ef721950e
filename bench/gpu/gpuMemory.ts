/**
 * GPU memory as nvidia-smi reports it: onnxruntime-node has no allocator statistics, so the benchmark
 * reads the memory this process holds on the GPU (its CUDA context, cuDNN/cuBLAS workspaces and the
 * provider's arena, or the Vulkan allocations of WebGPU), and the whole GPU's use as a fallback where
 * per-process figures are not available (some virtual machines hide them).
 */

import { execFileSync } from 'node:child_process';

export interface GpuMemoryReading {
  /** MiB this process holds, when nvidia-smi lists it. */
  processMiB?: number;
  /** MiB in use on GPU 0, all processes. */
  gpuUsedMiB?: number;
}

function smi(args: string[]): string | undefined {
  try {
    return execFileSync('nvidia-smi', args, {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
}

export function gpuMemory(): GpuMemoryReading {
  const out: GpuMemoryReading = {};
  const apps = smi(['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits']);
  if (apps) {
    for (const line of apps.trim().split('\n')) {
      const [pid, mem] = line.split(',').map((s) => s.trim());
      if (Number(pid) === process.pid && Number.isFinite(Number(mem))) out.processMiB = Number(mem);
    }
  }
  const used = smi(['--query-gpu=memory.used', '--format=csv,noheader,nounits', '-i', '0']);
  if (used && Number.isFinite(Number(used.trim()))) out.gpuUsedMiB = Number(used.trim());
  return out;
}

/** Growth from `before` to `after`: per process where both have it, else of the whole GPU. */
export function memoryDelta(before: GpuMemoryReading, after: GpuMemoryReading): number | undefined {
  if (before.processMiB !== undefined && after.processMiB !== undefined)
    return after.processMiB - before.processMiB;
  if (after.processMiB !== undefined && before.processMiB === undefined && before.gpuUsedMiB !== undefined)
    return after.processMiB;
  if (before.gpuUsedMiB !== undefined && after.gpuUsedMiB !== undefined)
    return after.gpuUsedMiB - before.gpuUsedMiB;
  return undefined;
}

export function gpuName(): string | undefined {
  return smi(['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader', '-i', '0'])?.trim();
}
