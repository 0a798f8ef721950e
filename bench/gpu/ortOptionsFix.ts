/**
 * Benchmark-only shim for a product bug found by this benchmark (see BENCHMARKS.md, "GPU (NVIDIA H200)"):
 * inference/backend/onnxBackend.ts passes `intraOpNumThreads: undefined` for the cuda and webgpu providers,
 * and onnxruntime-node 1.30's binding rejects a key that is present but undefined ("sessionOptions.
 * intraOpNumThreads must be a number"), so every GPU session fails to open (and `auto` falls back to the
 * CPU). Until the backend spreads that key only for the CPU provider, this wraps InferenceSession.create
 * to drop undefined-valued options, which is exactly that fix, and says so once. It changes nothing once
 * the backend is fixed. Imported first by gpu.bench.ts and by the pool's worker wrapper (poolWorker.ts).
 */

import * as ort from 'onnxruntime-node';

type Create = typeof ort.InferenceSession.create;
const session = ort.InferenceSession as unknown as { create: Create; __undefinedOptionsDropped?: boolean };

if (!session.__undefinedOptionsDropped) {
  session.__undefinedOptionsDropped = true;
  const original = session.create.bind(ort.InferenceSession) as (...args: unknown[]) => ReturnType<Create>;
  let warned = false;
  session.create = ((...args: unknown[]) => {
    const i = args.findIndex(
      (a, k) => k > 0 && a !== null && typeof a === 'object' && !ArrayBuffer.isView(a),
    );
    if (i > 0) {
      const opts = args[i] as Record<string, unknown>;
      const dropped = Object.keys(opts).filter((k) => opts[k] === undefined);
      if (dropped.length > 0) {
        if (!warned) {
          console.error(`[ortOptionsFix] dropped undefined session options: ${dropped.join(', ')}`);
          warned = true;
        }
        args[i] = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
      }
    }
    return original(...args);
  }) as Create;
}
