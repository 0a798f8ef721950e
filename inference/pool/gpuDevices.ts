/**
 * Which NVIDIA GPUs this process can use, for `INFERENCE_DEVICE_IDS=auto`. Asked once, when the pool
 * starts: `nvidia-smi -L` first (it names the GPUs), else the driver's /proc/driver/nvidia/gpus (one
 * folder per GPU, present without nvidia-smi, e.g. in slim containers), else none. CUDA numbers the
 * devices it can see 0..n-1 after CUDA_VISIBLE_DEVICES has picked them, so with that variable set the
 * count is the number of entries it names (at most the number found), not the host's total.
 */

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface GpuInventory {
  /** CUDA device ids this process can use: 0..n-1. */
  ids: number[];
  /** Model names in id order, where the source gave them. */
  names: string[];
  /** Where the answer came from. */
  source: 'nvidia-smi' | '/proc/driver/nvidia/gpus' | 'none';
}

/** What the discovery reads, replaceable in tests. */
export interface GpuProbe {
  nvidiaSmi(): string | undefined;
  procGpus(): string[] | undefined;
  visibleDevices(): string | undefined;
}

const PROC = '/proc/driver/nvidia/gpus';

export const systemProbe: GpuProbe = {
  nvidiaSmi() {
    try {
      return execFileSync('nvidia-smi', ['-L'], {
        encoding: 'utf8',
        timeout: 5000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch {
      return undefined;
    }
  },
  procGpus() {
    try {
      return readdirSync(PROC)
        .sort()
        .map((bus) => {
          try {
            return readFileSync(path.join(PROC, bus, 'information'), 'utf8');
          } catch {
            return '';
          }
        });
    } catch {
      return undefined;
    }
  },
  visibleDevices() {
    return process.env.CUDA_VISIBLE_DEVICES;
  },
};

function fromSmi(text: string): string[] {
  // "GPU 0: NVIDIA H200 (UUID: GPU-...)"; MIG instances are listed below their GPU, indented.
  return text
    .split('\n')
    .map((line) => /^GPU (\d+): (.*?)(?: \(UUID: [^)]*\))?\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => m[2]);
}

function fromProc(infos: string[]): string[] {
  return infos.map((info) => /^Model:\s*(.+)$/m.exec(info)?.[1].trim() ?? 'NVIDIA GPU');
}

export function findGpus(probe: GpuProbe = systemProbe): GpuInventory {
  let names: string[] = [];
  let source: GpuInventory['source'] = 'none';
  const smi = probe.nvidiaSmi();
  if (smi !== undefined) {
    names = fromSmi(smi);
    if (names.length > 0) source = 'nvidia-smi';
  }
  if (source === 'none') {
    const proc = probe.procGpus();
    if (proc && proc.length > 0) {
      names = fromProc(proc);
      source = '/proc/driver/nvidia/gpus';
    }
  }
  const visible = probe.visibleDevices();
  if (visible !== undefined && source !== 'none') {
    // CUDA stops at the first entry it cannot use; an empty value or -1 hides every GPU.
    const entries = visible.split(',').map((v) => v.trim());
    let usable = 0;
    while (usable < entries.length && entries[usable] !== '' && entries[usable] !== '-1') usable++;
    const picked = entries.slice(0, usable).map((e) => (/^\d+$/.test(e) ? names[Number(e)] : undefined));
    names = picked.slice(0, names.length).map((n) => n ?? 'NVIDIA GPU');
  }
  return { ids: names.map((_, i) => i), names, source };
}
