/**
 * The MLLM backend (SPEC sections 2 and 6): an image and a prompt to an OpenAI-compatible vision chat
 * endpoint (a vLLM server running LLaVA-SpaceSGG or ASMv2, or any server that takes `image_url`
 * content parts), the grounded reply back. The pipeline sees only the `MllmBackend` interface, so
 * tests give it a fake and other transports can be added without touching the pipeline.
 *
 * The image sent is the decoded one (EXIF orientation applied, as the pipeline's boxes are), scaled
 * so its long side is at most MLLM_LIMITS.maxImageSide and encoded as JPEG in a data: URL. Scaling
 * does not move anything: grounded coordinates are relative to the image (0..999 of the padded
 * square), and the reply is read against the original size.
 */

import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { createChatClient, type ChatClient } from '../http/chatClient';

export const MLLM_LIMITS = {
  /** Long side of the image sent; LLaVA-1.5 models see 336 px, ASMv2 448, so this loses nothing. */
  maxImageSide: 1344,
  jpegQuality: 90,
} as const;

export const DEFAULT_MLLM_PROMPT =
  'Generate the scene graph of this image. Name every object as <ref>label</ref><box>[[x1, y1, x2, y2]]</box> ' +
  'and every relation between two objects as <pred>predicate</pred><box>[[subject box]]</box><box>[[object box]]</box>. ' +
  'Coordinates are integers from 0 to 999 relative to the image padded to a square.';

export interface MllmImage {
  width: number;
  height: number;
  /** Row-major RGB, 3 bytes per pixel. */
  data: Uint8Array;
}

export interface MllmReply {
  text: string;
  /** The server stopped at max_tokens: the last element may be cut. */
  truncated: boolean;
}

/** What a graph records of the MLLM that made its objects (never the key). */
export interface MllmProvenance {
  model: string;
  endpoint: string;
  /** First 16 hex digits of the prompt's sha256 (the prompt decides the reply as much as the model). */
  prompt: string;
  maxTokens: number;
}

export interface MllmBackend {
  readonly provenance: MllmProvenance;
  ground(image: MllmImage): Promise<MllmReply>;
}

export interface MllmConfig {
  baseUrl: string;
  model: string;
  apiKey?: string;
  timeoutMs: number;
  maxRetries: number;
  concurrency: number;
  maxTokens: number;
  prompt?: string;
  /** Tests shorten the backoff. */
  retryBaseMs?: number;
}

export async function encodeForMllm(image: MllmImage): Promise<string> {
  const jpeg = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .resize({
      width: MLLM_LIMITS.maxImageSide,
      height: MLLM_LIMITS.maxImageSide,
      fit: 'inside',
      withoutEnlargement: true,
    })
    .jpeg({ quality: MLLM_LIMITS.jpegQuality })
    .toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

/** The backend over an OpenAI-compatible chat endpoint, through the project's one chat client. */
export function openAiVisionBackend(config: MllmConfig): MllmBackend {
  const prompt = config.prompt ?? DEFAULT_MLLM_PROMPT;
  const client: ChatClient = createChatClient({
    baseUrl: config.baseUrl,
    model: config.model,
    apiKey: config.apiKey,
    name: 'MLLM endpoint',
    field: 'mllm',
    timeoutMs: config.timeoutMs,
    maxRetries: config.maxRetries,
    concurrency: config.concurrency,
    retryBaseMs: config.retryBaseMs,
  });
  return {
    provenance: {
      model: config.model,
      endpoint: client.endpoint,
      prompt: createHash('sha256').update(prompt).digest('hex').slice(0, 16),
      maxTokens: config.maxTokens,
    },
    async ground(image) {
      const url = await encodeForMllm(image);
      const reply = await client.complete({
        temperature: 0,
        maxTokens: config.maxTokens,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url } },
              { type: 'text', text: prompt },
            ],
          },
        ],
      });
      return { text: reply.content, truncated: reply.finishReason === 'length' };
    },
  };
}
