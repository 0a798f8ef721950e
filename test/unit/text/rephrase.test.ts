import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EnvironmentError, UserInputError } from '../../../src/errors/errors';
import { rephrase } from '../../../src/text/rephrase';

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  body: { model?: string; messages?: Array<{ role: string; content: string }> };
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

/** A local OpenAI-style endpoint on 127.0.0.1 whose behaviour each test sets. */
async function startServer(handler: Handler): Promise<{ baseUrl: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body: JSON.parse(raw || '{}'),
      };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, seen, server };
}

const reply = (content: string): string =>
  JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] });

describe('rephrase', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
    server = undefined;
  });

  it('returns the template unchanged when no endpoint is configured', async () => {
    await expect(rephrase('The cup is on the table.')).resolves.toEqual({
      text: 'The cup is on the table.',
      rephrased: false,
      reason: 'no-endpoint',
    });
    await expect(rephrase('x', { baseUrl: '' })).resolves.toMatchObject({ rephrased: false });
  });

  it('posts model and messages to {baseUrl}/chat/completions with a bearer key', async () => {
    const started = await startServer((_req, res, seen) => {
      res.setHeader('content-type', 'application/json');
      res.end(reply(`  Rephrased: ${seen.body.messages?.[1].content}  `));
    });
    server = started.server;
    const result = await rephrase('The cup is on the table.', {
      baseUrl: `${started.baseUrl}/`,
      model: 'llama-3-70b',
      apiKey: 'sk-test',
    });
    expect(result).toEqual({ text: 'Rephrased: The cup is on the table.', rephrased: true });
    const [request] = started.seen;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer sk-test');
    expect(request.body.model).toBe('llama-3-70b');
    expect(request.body.messages?.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('sends no authorization header without a key', async () => {
    const started = await startServer((_req, res) => res.end(reply('ok')));
    server = started.server;
    await rephrase('x', { baseUrl: started.baseUrl, model: 'm' });
    expect(started.seen[0].authorization).toBeUndefined();
  });

  it('keeps the template when the reply changes grounded tags, and accepts reordered ones', async () => {
    const tagged =
      'The <ref>cup</ref><box>[[1, 2, 3, 4]]</box> is <pred>on</pred><box>[[1, 2, 3, 4]]</box><box>[[5, 6, 7, 8]]</box> the table.';
    let answer = 'The <ref>cup</ref><box>[[1, 2, 3, 9]]</box> sits on the table.';
    const started = await startServer((_req, res) => res.end(reply(answer)));
    server = started.server;
    await expect(rephrase(tagged, { baseUrl: started.baseUrl, model: 'm' })).resolves.toEqual({
      text: tagged,
      rephrased: false,
      reason: 'tags-changed',
    });
    answer =
      'Resting <pred>on</pred><box>[[1,2,3,4]]</box><box>[[5,6,7,8]]</box> the table is the <ref>cup</ref><box>[[1, 2, 3, 4]]</box>.';
    await expect(rephrase(tagged, { baseUrl: started.baseUrl, model: 'm' })).resolves.toEqual({
      text: answer,
      rephrased: true,
    });
  });

  it('reports HTTP errors with the status and the endpoint, never the key', async () => {
    const started = await startServer((_req, res) => {
      res.statusCode = 503;
      res.end('model is loading');
    });
    server = started.server;
    const call = rephrase('x', { baseUrl: started.baseUrl, model: 'm', apiKey: 'sk-secret' });
    await expect(call).rejects.toBeInstanceOf(EnvironmentError);
    const error = (await call.catch((e: unknown) => e)) as EnvironmentError;
    expect(error.message).toContain(`${started.baseUrl}/chat/completions answered HTTP 503`);
    expect(error.message).toContain('model is loading');
    expect(error.message).not.toContain('sk-secret');
    expect(error.details).toMatchObject({ status: 503, endpoint: `${started.baseUrl}/chat/completions` });
  });

  it('reports replies without content and bodies that are not JSON', async () => {
    let body = JSON.stringify({ choices: [] });
    const started = await startServer((_req, res) => res.end(body));
    server = started.server;
    await expect(rephrase('x', { baseUrl: started.baseUrl, model: 'm' })).rejects.toThrow(
      /without choices\[0\]\.message\.content/,
    );
    body = '<html>';
    await expect(rephrase('x', { baseUrl: started.baseUrl, model: 'm' })).rejects.toThrow(/not JSON/);
  });

  it('times out', async () => {
    const started = await startServer(() => undefined); // never answers
    server = started.server;
    await expect(rephrase('x', { baseUrl: started.baseUrl, model: 'm', timeoutMs: 100 })).rejects.toThrow(
      /did not answer within 100 ms/,
    );
  });

  it('reports an unreachable endpoint', async () => {
    const started = await startServer(() => undefined);
    const { baseUrl } = started;
    await new Promise((resolve) => started.server.close(resolve));
    await expect(rephrase('x', { baseUrl, model: 'm', timeoutMs: 2000 })).rejects.toThrow(
      /could not reach rephrase endpoint/,
    );
  });

  it('rejects bad configuration before sending anything', async () => {
    await expect(rephrase('x', { baseUrl: 'not a url', model: 'm' })).rejects.toBeInstanceOf(UserInputError);
    await expect(rephrase('x', { baseUrl: 'ftp://host/v1', model: 'm' })).rejects.toThrow(/http or https/);
    await expect(rephrase('x', { baseUrl: 'http://127.0.0.1:9/v1' })).rejects.toThrow(/rephrase\.model/);
    await expect(
      rephrase('x', { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 0 }),
    ).rejects.toThrow(/timeoutMs/);
  });
});
