import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvironmentError, UserInputError } from '../../../src/errors/errors';
import { openAiVisionBackend, type MllmConfig, type MllmImage } from '../../../src/mllm/mllmBackend';
import { mllmObjects } from '../../../src/mllm/mllmObjects';

interface Seen {
  authorization?: string;
  body: {
    model: string;
    max_tokens?: number;
    messages: Array<{
      role: string;
      content: Array<{ type: string; text?: string; image_url?: { url: string } }>;
    }>;
  };
}

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;

/** A local OpenAI-style vision endpoint replaying what each test scripts, counting requests in flight. */
async function startServer(handler: Handler) {
  const seen: Seen[] = [];
  const state = { inFlight: 0, maxInFlight: 0 };
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, body: JSON.parse(raw) as Seen['body'] });
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      res.on('close', () => state.inFlight--);
      handler(req, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, seen, state, server };
}

const completion = (content: string, finish = 'stop'): string =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
  });

// What ASMv2 / LLaVA-SpaceSGG answer to a scene-graph prompt (0..999 in the padded square).
const ASMV2_REPLY =
  'In the image, <ref>a man</ref><box>[[250, 300, 450, 700]]</box> is ' +
  '<pred>riding</pred><box>[[250, 300, 450, 700]]</box><box>[[200, 450, 700, 750]]</box> ' +
  '<ref>a horse</ref><box>[[200, 450, 700, 750]]</box>. The <ref>tree</ref><box>[[700, 250, 990, 700]]</box> is ' +
  '<pred>behind</pred><box>[[700, 250, 990, 700]]</box><box>[[200, 450, 700, 750]]</box> the horse.';

// A 400x200 image: the padded square is 400 px, the image sits from y = 100 to 300 in it.
const image: MllmImage = { width: 400, height: 200, data: new Uint8Array(400 * 200 * 3).fill(128) };

describe('MLLM backend (OpenAI-compatible vision endpoint)', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  const backend = (baseUrl: string, extra: Partial<MllmConfig> = {}) =>
    openAiVisionBackend({
      baseUrl,
      model: 'llava-spacesgg-13b',
      apiKey: 'sk-test',
      timeoutMs: 2000,
      maxRetries: 2,
      retryBaseMs: 5,
      concurrency: 4,
      maxTokens: 512,
      ...extra,
    });

  it('sends the image as a data: URL with the prompt and reads the grounded reply into objects and MODEL relations', async () => {
    const s = await startServer((_req, res) => res.end(completion(ASMV2_REPLY)));
    server = s.server;
    const result = await mllmObjects(backend(s.baseUrl), image, 'photo.jpg');

    const [request] = s.seen;
    expect(request.authorization).toBe('Bearer sk-test');
    expect(request.body.model).toBe('llava-spacesgg-13b');
    expect(request.body.max_tokens).toBe(512);
    const parts = request.body.messages[0].content;
    expect(parts[0].type).toBe('image_url');
    expect(parts[0].image_url!.url).toMatch(/^data:image\/jpeg;base64,\/9j\//);
    expect(parts[1].text).toMatch(/<ref>label<\/ref><box>/);

    expect(result.warnings).toEqual([]);
    expect(result.objects.map((o) => o.label)).toEqual(['man', 'horse', 'tree']);
    // x: 250 / 999 * 400 = 100.1; y: 300 / 999 * 400 - 100 = 20.12.
    expect(result.objects[0].box).toEqual([100.1, 20.12, 180.18, 180.28]);
    expect(result.relations).toEqual([
      { subject: 'o1', predicate: 'riding', object: 'o2', source: 'MODEL' },
      { subject: 'o3', predicate: 'behind', object: 'o2', source: 'MODEL' },
    ]);
  });

  it('keeps what parses of a reply cut at max_tokens, with warnings', async () => {
    const cut = ASMV2_REPLY.slice(0, ASMV2_REPLY.indexOf('[[700, 250') + 8);
    const s = await startServer((_req, res) => res.end(completion(cut, 'length')));
    server = s.server;
    const result = await mllmObjects(backend(s.baseUrl), image, 'photo.jpg');
    expect(result.objects.map((o) => o.label)).toEqual(['man', 'horse']);
    expect(result.relations).toHaveLength(1);
    expect(result.warnings).toEqual([
      expect.stringMatching(/^MLLM reply: <box> is not closed by <\/box> \(at offset \d+\)$/),
      'MLLM reply: cut at max_tokens (MLLM_MAX_TOKENS); the last element may be missing',
    ]);
  });

  it('skips malformed elements (bad coordinates, a pred without boxes, stray tags) and keeps the rest', async () => {
    const reply =
      '</ref> <ref>cup</ref><box>[[10, 10, 1200, 50]]</box> <pred>on</pred> the table </box> ' +
      '<ref>table</ref><box>[[0, 500, 999, 900]]</box> <ref>lamp</ref><box>[[100, 100, 200, 200], [5, 5]]</box>';
    const s = await startServer((_req, res) => res.end(completion(reply)));
    server = s.server;
    const result = await mllmObjects(backend(s.baseUrl), image, 'photo.jpg');
    expect(result.objects.map((o) => o.label)).toEqual(['table']);
    expect(result.warnings).toHaveLength(4);
    expect(result.warnings.join('\n')).toMatch(/integers in 0\.\.999, got 1200/);
    expect(result.warnings.join('\n')).toMatch(/must be followed by two <box> lists/);
    expect(result.warnings.join('\n')).toMatch(/<\/ref> without an opening <ref>/);
  });

  it('fails the image, not the run, when the reply names no object or is not a chat completion', async () => {
    let body = completion('I am sorry, I cannot see any objects.');
    const s = await startServer((_req, res) => res.end(body));
    server = s.server;
    const call = () => mllmObjects(backend(s.baseUrl), image, 'photo.jpg');
    await expect(call()).rejects.toThrow(UserInputError);
    await expect(call()).rejects.toThrow(
      /mllm\.reply: the MLLM reply names no object with a box: "I am sorry/,
    );
    body = '{"choices": [{"message": {"content": "<ref>cup</ref>'; // broken JSON
    await expect(call()).rejects.toThrow(
      /mllm\.reply: MLLM endpoint .* answered with a body that is not JSON/,
    );
    body = JSON.stringify({ object: 'error', message: 'bad' });
    await expect(call()).rejects.toThrow(/without choices\[0\]\.message\.content/);
    expect(s.seen).toHaveLength(4); // none of them retried
  });

  it('retries HTTP 500 and 429 (honouring Retry-After) with backoff, then succeeds', async () => {
    const s = await startServer((_req, res, n) => {
      if (n === 1) {
        res.statusCode = 500;
        res.end('CUDA out of memory');
      } else if (n === 2) {
        res.writeHead(429, { 'retry-after': '0' });
        res.end('slow down');
      } else res.end(completion(ASMV2_REPLY));
    });
    server = s.server;
    const result = await mllmObjects(backend(s.baseUrl), image, 'photo.jpg');
    expect(result.objects).toHaveLength(3);
    expect(s.seen).toHaveLength(3);
  });

  it('gives up after the retries with the status and attempts, never the key; 4xx is not retried', async () => {
    let status = 503;
    const s = await startServer((_req, res) => {
      res.statusCode = status;
      res.end('model is loading');
    });
    server = s.server;
    const error = (await mllmObjects(backend(s.baseUrl, { apiKey: 'sk-secret' }), image, 'x').catch(
      (e: unknown) => e,
    )) as EnvironmentError;
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toMatch(/MLLM endpoint .*\/v1\/chat\/completions answered HTTP 503/);
    expect(error.message).toMatch(/gave up after 3 attempts/);
    expect(error.message).not.toContain('sk-secret');
    expect(error.details).toMatchObject({ status: 503, attempts: 3 });
    expect(s.seen).toHaveLength(3);
    status = 400;
    await expect(mllmObjects(backend(s.baseUrl), image, 'x')).rejects.toThrow(/answered HTTP 400/);
    expect(s.seen).toHaveLength(4);
  });

  it('times out a request that never answers and retries it', async () => {
    const s = await startServer((_req, res, n) => {
      if (n > 1) res.end(completion(ASMV2_REPLY));
    });
    server = s.server;
    const result = await mllmObjects(backend(s.baseUrl, { timeoutMs: 200 }), image, 'x');
    expect(result.objects).toHaveLength(3);
    expect(s.seen).toHaveLength(2);

    const silent = await startServer(() => undefined);
    const call = mllmObjects(backend(silent.baseUrl, { timeoutMs: 100, maxRetries: 1 }), image, 'x');
    await expect(call).rejects.toThrow(/did not answer within 100 ms \(gave up after 2 attempts\)/);
    silent.server.closeAllConnections();
    silent.server.close();
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const s = await startServer((_req, res) => setTimeout(() => res.end(completion(ASMV2_REPLY)), 50));
    server = s.server;
    const b = backend(s.baseUrl, { concurrency: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, () => mllmObjects(b, image, 'x')));
    expect(results.every((r) => r.objects.length === 3)).toBe(true);
    expect(s.seen).toHaveLength(6);
    expect(s.state.maxInFlight).toBe(2);
  });

  it('refuses bad configuration before sending anything', () => {
    expect(() => backend('ftp://host/v1')).toThrow(/mllm\.baseUrl: must be an http or https URL/);
    expect(() => backend('http://127.0.0.1:9/v1', { model: '' })).toThrow(/mllm\.model/);
    expect(() => backend('http://127.0.0.1:9/v1', { concurrency: 0 })).toThrow(/mllm\.concurrency/);
  });
});
