// A stand-in for inference/pool/inference.worker.ts on a host with several GPUs: it speaks the pool's
// protocol without onnxruntime and answers with the device it was started on. What goes wrong on
// which device comes from the first model's spec.description (JSON), so a test can make one GPU bad:
//   failInit: [ids]   sessions cannot be created there (init-error, as a CUDA error would be)
//   crashRun: [ids]   the worker dies on its first run there (as a driver fault would kill it)
//   blockMs: { id: ms }  every run there blocks this long (a slower GPU)
// Per-item options: blockMs (this run blocks, like session.run).
const { parentPort } = require('node:worker_threads');

let device = -1;
let faults = {};
let runs = 0;
parentPort.on('message', (msg) => {
  if (msg.type === 'init') {
    device = msg.deviceId;
    faults = JSON.parse(msg.models[0].spec.description || '{}');
    if ((faults.failInit ?? []).includes(device)) {
      parentPort.postMessage({
        type: 'init-error',
        error: { code: 'MODEL_INVALID', message: `CUDA failure 999 on device ${device}`, model: 'm' },
      });
      return;
    }
    parentPort.postMessage({ type: 'ready', provider: 'cuda', declined: [] });
    return;
  }
  runs++;
  if ((faults.crashRun ?? []).includes(device)) process.exit(9);
  const delay = Math.max(
    (faults.blockMs ?? {})[device] ?? 0,
    ...msg.items.map((i) => i.options.blockMs ?? 0),
  );
  const until = Date.now() + delay;
  while (Date.now() < until) {
    // block the thread, as onnxruntime's run does
  }
  parentPort.postMessage({
    type: 'result',
    id: msg.id,
    results: msg.items.map((item, index) => ({
      ok: true,
      value: { device, batch: msg.items.length, index, run: runs, bytes: item.image.data.length },
    })),
    timings: { prepare: 0, run: delay, finish: 0, batches: 1 },
  });
});
