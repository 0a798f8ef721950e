/**
 * Optional rephrasing of template text by an LLM behind an OpenAI-compatible chat endpoint (the paper
 * used Llama 3 70B; any vLLM / llama.cpp / OpenAI-style server works): POST {baseUrl}/chat/completions
 * with `model` and `messages`, bearer key optional.
 *
 * Without a `baseUrl` the template text is returned unchanged, so the data engine works offline.
 * Grounded tags must survive: when the reply does not carry exactly the same `<ref>`, `<box>` and
 * `<pred>` elements as the input (in any order), the template is kept and the result says why; a
 * rephrasing that moved a box would silently corrupt training data.
 *
 * The request goes through the project's one chat client (src/http/chatClient.ts: time limit,
 * retries with backoff on 429/5xx/network errors); its failures are EnvironmentErrors naming the
 * endpoint and, where there is one, the HTTP status. The API key never appears in messages.
 */

import { CHAT_DEFAULTS, createChatClient } from '../http/chatClient';

export const DEFAULT_REPHRASE_TIMEOUT_MS = CHAT_DEFAULTS.timeoutMs;
export const DEFAULT_REPHRASE_TEMPERATURE = 0.7;
export const DEFAULT_REPHRASE_PROMPT =
  'Rephrase the text the user sends so that it reads naturally and varies in wording. Keep every fact and ' +
  'every <ref>, <box> and <pred> tag exactly as written, including what is inside the tags. ' +
  'Reply with the rephrased text only.';

export interface RephraseConfig {
  /** e.g. "http://127.0.0.1:8000/v1"; unset or empty = no rephrasing. */
  baseUrl?: string;
  model?: string;
  apiKey?: string;
  timeoutMs?: number;
  /** Retries on 429, 5xx, network errors and timeouts (default CHAT_DEFAULTS.maxRetries). */
  maxRetries?: number;
  temperature?: number;
  systemPrompt?: string;
}

export interface RephraseResult {
  text: string;
  rephrased: boolean;
  /** Why the template was kept. */
  reason?: 'no-endpoint' | 'tags-changed';
}

/** The grounded elements of a text, normalised, sorted: equal lists = same tags in any order. */
export function groundedElements(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/<\s*(ref|box|pred)\s*>([\s\S]*?)<\s*\/\s*\1\s*>/gi)) {
    found.push(`${m[1].toLowerCase()}:${m[2].replace(/\s+/g, '')}`);
  }
  return found.sort();
}

export async function rephrase(text: string, config: RephraseConfig = {}): Promise<RephraseResult> {
  if (!config.baseUrl) return { text, rephrased: false, reason: 'no-endpoint' };
  const client = createChatClient({
    baseUrl: config.baseUrl,
    model: config.model ?? '',
    apiKey: config.apiKey,
    name: 'rephrase endpoint',
    field: 'rephrase',
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
  });
  const { content } = await client.complete({
    temperature: config.temperature ?? DEFAULT_REPHRASE_TEMPERATURE,
    messages: [
      { role: 'system', content: config.systemPrompt ?? DEFAULT_REPHRASE_PROMPT },
      { role: 'user', content: text },
    ],
  });
  const rephrased = content.trim();
  const before = groundedElements(text);
  const after = groundedElements(rephrased);
  if (before.length !== after.length || before.some((e, i) => e !== after[i])) {
    return { text, rephrased: false, reason: 'tags-changed' };
  }
  return { text: rephrased, rephrased: true };
}
