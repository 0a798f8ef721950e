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
 * Failures of the endpoint (unreachable, timeout, HTTP error, a reply without
 * choices[0].message.content) are EnvironmentErrors naming the endpoint and, where there is one, the
 * HTTP status. The API key never appears in messages.
 */

import { EnvironmentError, UserInputError } from '../errors/errors';

export const DEFAULT_REPHRASE_TIMEOUT_MS = 30_000;
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

function endpointOf(config: RephraseConfig): string {
  let url: URL;
  try {
    url = new URL(config.baseUrl as string);
  } catch {
    throw new UserInputError(`is not a URL: ${JSON.stringify(config.baseUrl)}`, 'rephrase.baseUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserInputError(`must be an http or https URL, got ${url.protocol}`, 'rephrase.baseUrl');
  }
  return `${url.toString().replace(/\/+$/, '')}/chat/completions`;
}

export async function rephrase(text: string, config: RephraseConfig = {}): Promise<RephraseResult> {
  if (!config.baseUrl) return { text, rephrased: false, reason: 'no-endpoint' };
  const endpoint = endpointOf(config);
  if (!config.model) throw new UserInputError('is required when rephrase.baseUrl is set', 'rephrase.model');
  const timeoutMs = config.timeoutMs ?? DEFAULT_REPHRASE_TIMEOUT_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new UserInputError(
      `must be a positive number of milliseconds, got ${timeoutMs}`,
      'rephrase.timeoutMs',
    );
  }

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let reply: unknown;
  try {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: config.model,
        temperature: config.temperature ?? DEFAULT_REPHRASE_TEMPERATURE,
        messages: [
          { role: 'system', content: config.systemPrompt ?? DEFAULT_REPHRASE_PROMPT },
          { role: 'user', content: text },
        ],
      }),
      signal: controller.signal,
    });
    const body = await response.text();
    if (!response.ok) {
      throw new EnvironmentError(
        `rephrase endpoint ${endpoint} answered HTTP ${response.status} ${response.statusText}: ${body.slice(0, 300)}`,
        { endpoint, status: response.status },
      );
    }
    try {
      reply = JSON.parse(body);
    } catch {
      throw new EnvironmentError(
        `rephrase endpoint ${endpoint} answered with a body that is not JSON: ${body.slice(0, 300)}`,
        {
          endpoint,
          status: response.status,
        },
      );
    }
  } catch (error) {
    if (error instanceof EnvironmentError) throw error;
    if (controller.signal.aborted) {
      throw new EnvironmentError(
        `rephrase endpoint ${endpoint} did not answer within ${timeoutMs} ms`,
        { endpoint, timeoutMs },
        { cause: error },
      );
    }
    const reason =
      error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    throw new EnvironmentError(
      `could not reach rephrase endpoint ${endpoint}: ${reason}`,
      { endpoint },
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
  }

  const content = (reply as { choices?: Array<{ message?: { content?: unknown } }> })?.choices?.[0]?.message
    ?.content;
  if (typeof content !== 'string' || content.trim() === '') {
    throw new EnvironmentError(`rephrase endpoint ${endpoint} answered without choices[0].message.content`, {
      endpoint,
    });
  }
  const rephrased = content.trim();
  const before = groundedElements(text);
  const after = groundedElements(rephrased);
  if (before.length !== after.length || before.some((e, i) => e !== after[i])) {
    return { text, rephrased: false, reason: 'tags-changed' };
  }
  return { text: rephrased, rephrased: true };
}
