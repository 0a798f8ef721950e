/** The pool's worker thread with the benchmark's onnxruntime options shim (ortOptionsFix.ts) loaded first. */
import './ortOptionsFix';
import '../../inference/pool/inference.worker';
