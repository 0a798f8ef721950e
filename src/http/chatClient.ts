/**
 * The one client for OpenAI-compatible chat endpoints (vLLM, llama.cpp, SGLang, OpenAI itself):
 * POST {baseUrl}/chat/completions with `model` and `messages`, bearer key optional, and the reply's
 * choices[0].message.content returned. Used by the text rephraser and the MLLM backend.
 *
 * - A time limit per attempt (headers and body).
 * - Retries with exponential backoff (base * 2^attempt, capped; a Retry-After header in seconds is
 *   honoured up to the cap) on what is worth retrying: HTTP 408, 409, 429 and 5xx, network errors and
 *   timeouts. Other 4xx, bodies that are not JSON and replies without content fail at once.
 * - At most `concurrency` requests in flight per client; more wait their turn.
 *
 * Failures are EnvironmentErrors naming the endpoint (`name` says whose: "rephrase endpoint",
 * "MLLM endpoint") and, where there is one, the HTTP status. The API key never appears in messages.
 */

import { EnvironmentError, UserInputError } from '../errors/errors';

export const CHAT_DEFAULTS = {
  timeoutMs: 30_000,
  maxRetries: 2,
  retryBaseMs: 500,
  retryMaxMs: 10_000,
  concurrency: 4,
} as const;

export interface ChatClientConfig {
  /** e.g. "http://127.0.0.1:8000/v1". */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /** How errors name the endpoint, e.g. "MLLM endpoint". */
  name: string;
  /** How errors name the configuration fields (e.g. `rephrase` -> `rephrase.baseUrl`). */
  field: string;
  timeoutMs?: number;
  maxRetries?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  concurrency?: number;
}

export type ChatContent =
  string | Array<{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }>;

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: ChatContent;
}

export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
}

export interface ChatReply {
  content: string;
  /** choices[0].finish_reason: "length" means the reply was cut at max_tokens. */
  finishReason?: string;
  /** Attempts it took (1 = no retry). */
  attempts: number;
}

export interface ChatClient {
  readonly endpoint: string;
  complete(request: ChatRequest): Promise<ChatReply>;
}

function endpointOf(baseUrl: string, field: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UserInputError(`is not a URL: ${JSON.stringify(baseUrl)}`, `${field}.baseUrl`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserInputError(`must be an http or https URL, got ${url.protocol}`, `${field}.baseUrl`);
  }
  return `${url.toString().replace(/\/+$/, '')}/chat/completions`;
}

function checkNumber(value: number, field: string, min: number): number {
  if (!Number.isFinite(value) || value < min) {
    throw new UserInputError(`must be a number >= ${min}, got ${value}`, field);
  }
  return value;
}

/** A counting semaphore: `run` waits until fewer than `limit` calls are in flight. */
function limiter(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (work) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await work();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

/** The endpoint answered, but not with a usable reply (not JSON, no content): retrying will not help. */
export class ChatReplyError extends EnvironmentError {}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A failure that another attempt may not repeat. */
class Retryable extends Error {
  constructor(
    readonly error: EnvironmentError,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}

const RETRY_STATUS = new Set([408, 409, 429]);

export function createChatClient(config: ChatClientConfig): ChatClient {
  const endpoint = endpointOf(config.baseUrl, config.field);
  if (!config.model)
    throw new UserInputError(`is required when ${config.field}.baseUrl is set`, `${config.field}.model`);
  const timeoutMs = checkNumber(config.timeoutMs ?? CHAT_DEFAULTS.timeoutMs, `${config.field}.timeoutMs`, 1);
  const maxRetries = Math.floor(
    checkNumber(config.maxRetries ?? CHAT_DEFAULTS.maxRetries, `${config.field}.maxRetries`, 0),
  );
  const retryBaseMs = checkNumber(
    config.retryBaseMs ?? CHAT_DEFAULTS.retryBaseMs,
    `${config.field}.retryBaseMs`,
    0,
  );
  const retryMaxMs = checkNumber(
    config.retryMaxMs ?? CHAT_DEFAULTS.retryMaxMs,
    `${config.field}.retryMaxMs`,
    0,
  );
  const concurrency = Math.floor(
    checkNumber(config.concurrency ?? CHAT_DEFAULTS.concurrency, `${config.field}.concurrency`, 1),
  );
  const limit = limiter(concurrency);
  const who = `${config.name} ${endpoint}`;

  const attempt = async (request: ChatRequest): Promise<Omit<ChatReply, 'attempts'>> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let body: string;
    let status: number;
    let retryAfter: string | null;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: config.model,
          messages: request.messages,
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
        }),
        signal: controller.signal,
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      body = await response.text();
      if (!response.ok) {
        const error = new EnvironmentError(
          `${who} answered HTTP ${response.status} ${response.statusText}: ${body.slice(0, 300)}`,
          { endpoint, status: response.status },
        );
        if (RETRY_STATUS.has(status) || status >= 500) {
          const seconds = retryAfter !== null ? Number(retryAfter) : NaN;
          throw new Retryable(error, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined);
        }
        throw error;
      }
    } catch (error) {
      if (error instanceof Retryable || error instanceof EnvironmentError) throw error;
      if (controller.signal.aborted) {
        throw new Retryable(
          new EnvironmentError(
            `${who} did not answer within ${timeoutMs} ms`,
            { endpoint, timeoutMs },
            { cause: error },
          ),
        );
      }
      const reason =
        error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message)
          : String(error);
      throw new Retryable(
        new EnvironmentError(`could not reach ${who}: ${reason}`, { endpoint }, { cause: error }),
      );
    } finally {
      clearTimeout(timer);
    }
    let reply: unknown;
    try {
      reply = JSON.parse(body);
    } catch {
      throw new ChatReplyError(`${who} answered with a body that is not JSON: ${body.slice(0, 300)}`, {
        endpoint,
        status,
      });
    }
    const choice = (
      reply as { choices?: Array<{ message?: { content?: unknown }; finish_reason?: unknown }> }
    )?.choices?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string' || content.trim() === '') {
      throw new ChatReplyError(`${who} answered without choices[0].message.content`, { endpoint, status });
    }
    return {
      content,
      ...(typeof choice?.finish_reason === 'string' ? { finishReason: choice.finish_reason } : {}),
    };
  };

  return {
    endpoint,
    complete: (request) =>
      limit(async () => {
        for (let k = 0; ; k++) {
          try {
            return { ...(await attempt(request)), attempts: k + 1 };
          } catch (error) {
            if (!(error instanceof Retryable)) throw error;
            if (k >= maxRetries) {
              if (k === 0) throw error.error;
              throw new EnvironmentError(
                `${error.error.message} (gave up after ${k + 1} attempts)`,
                { ...error.error.details, attempts: k + 1 },
                { cause: error.error },
              );
            }
            const backoff = Math.min(retryMaxMs, retryBaseMs * 2 ** k);
            await sleep(Math.min(retryMaxMs, Math.max(backoff, error.retryAfterMs ?? 0)));
          }
        }
      }),
  };
}
