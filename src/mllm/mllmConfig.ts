import type { Config } from '../config/config';
import { openAiVisionBackend, type MllmBackend } from './mllmBackend';

const backends = new WeakMap<Config['mllm'], MllmBackend>();

/**
 * The MLLM backend configured by MLLM_* (config.ts), or undefined when MLLM_URL / MLLM_MODEL are not
 * set. One backend per configuration, so every caller of a process (the CLI's run, the service's
 * requests) shares one client and its MLLM_CONCURRENCY limit.
 */
export function configuredMllm(config: Config): MllmBackend | undefined {
  const m = config.mllm;
  if (!m.baseUrl || !m.model) return undefined;
  let backend = backends.get(m);
  if (!backend) {
    backend = openAiVisionBackend({
      baseUrl: m.baseUrl,
      model: m.model,
      apiKey: m.apiKey,
      prompt: m.prompt,
      timeoutMs: m.timeoutMs,
      maxRetries: m.maxRetries,
      concurrency: m.concurrency,
      maxTokens: m.maxTokens,
      retryBaseMs: m.retryBaseMs,
    });
    backends.set(m, backend);
  }
  return backend;
}
