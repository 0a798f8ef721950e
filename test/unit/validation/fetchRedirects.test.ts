/**
 * Redirects from an allowed server to loopback, link-local and private addresses, and content types
 * that lie: the fetcher refuses the first, the decoder judges the bytes, not the header.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserInputError } from '../../../src/errors/errors';
import { imageInfoFromBuffer } from '../../../src/io/imageInfo';
import { fetchImage } from '../../../src/pipeline/fetchImage';

describe('fetchImage redirects and spoofed types', () => {
  let server: http.Server;
  let port = 0;
  const targets: Record<string, string> = {
    '/to-loopback': 'http://127.0.0.1:{port}/secret',
    '/to-loopback-name': 'http://localhost:{port}/secret',
    '/to-other-loopback': 'http://127.0.0.2:{port}/secret',
    '/to-ipv6-loopback': 'http://[::1]:{port}/secret',
    '/to-metadata': 'http://169.254.169.254/latest/meta-data/',
    '/to-private': 'http://192.168.0.10/secret',
    '/to-file': 'file:///etc/passwd',
  };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const to = targets[req.url ?? ''];
      if (to) {
        res.writeHead(302, { location: to.replace('{port}', String(port)) });
        res.end();
      } else if (req.url === '/svg-as-png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
      } else if (req.url === '/html-as-jpeg') {
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        res.end('<html>hello</html>');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('secret');
      }
    });
    // Listens on the allowed address only; the redirect targets are refused before any connection.
    await new Promise<void>((r) => server.listen(0, '127.0.0.3', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const limits = {
    maxBytes: 10_000,
    timeoutMs: 2000,
    field: 'input.url',
    isAllowedAddress: (a: string) => a === '127.0.0.3',
  };

  it.each(Object.keys(targets))('refuses the redirect %s, naming the field', async (p) => {
    const e = await fetchImage(`http://127.0.0.3:${port}${p}`, limits).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).path).toBe('input.url');
    expect((e as Error).message).toMatch(/not a public address|only http and https/);
  });

  it('judges the bytes, not the content type', async () => {
    for (const p of ['/svg-as-png', '/html-as-jpeg']) {
      const { bytes } = await fetchImage(`http://127.0.0.3:${port}${p}`, limits);
      const e = await imageInfoFromBuffer(bytes, { field: 'image' }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(UserInputError);
      expect((e as Error).message).toMatch(/unsupported image format 'svg'|not a readable image/);
    }
  });
});
