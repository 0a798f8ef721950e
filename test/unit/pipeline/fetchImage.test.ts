import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchImage, isPublicAddress } from '../../../src/pipeline/fetchImage';

describe('isPublicAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a00:1',
    'not-an-ip',
  ])('refuses %s', (a) => expect(isPublicAddress(a)).toBe(false));

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('accepts %s', (a) =>
    expect(isPublicAddress(a)).toBe(true),
  );
});

describe('fetchImage', () => {
  let server: http.Server;
  let base: string;
  const body = Buffer.alloc(5000, 7);

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/img') {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
        res.end(body);
      } else if (req.url === '/redirect-ok') {
        res.writeHead(302, { location: '/img' });
        res.end();
      } else if (req.url === '/redirect-private') {
        res.writeHead(302, { location: 'http://10.0.0.1/img' });
        res.end();
      } else if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' });
        res.end();
      } else if (req.url === '/slow') {
        res.writeHead(200);
        res.write('x');
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  // The test server is on loopback, which the default policy refuses; these tests allow exactly it.
  const loopbackOnly = { isAllowedAddress: (a: string) => a === '127.0.0.1' };
  const limits = { maxBytes: 10_000, timeoutMs: 2000, field: 'input.url', ...loopbackOnly };

  it('refuses loopback and private hosts with the default policy, naming the field', async () => {
    for (const url of [
      `${base}/img`,
      'http://localhost/x.png',
      'http://[::1]/x',
      'http://169.254.169.254/latest/meta-data',
    ]) {
      await expect(
        fetchImage(url, { maxBytes: 1000, timeoutMs: 1000, field: 'input.url' }),
      ).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        path: 'input.url',
        message: expect.stringMatching(/not a public address/),
      });
    }
  });

  it('refuses other schemes, credentials and malformed URLs', async () => {
    await expect(fetchImage('file:///etc/passwd', limits)).rejects.toThrow(/only http and https/);
    await expect(fetchImage('ftp://example.org/x', limits)).rejects.toThrow(/only http and https/);
    await expect(fetchImage('http://u:p@127.0.0.1/x', limits)).rejects.toThrow(/credentials/);
    await expect(fetchImage('not a url', limits)).rejects.toThrow(/not a valid URL/);
  });

  it('fetches an allowed URL and follows redirects, re-checking each target', async () => {
    await expect(fetchImage(`${base}/img`, limits)).resolves.toMatchObject({ bytes: body });
    await expect(fetchImage(`${base}/redirect-ok`, limits)).resolves.toMatchObject({ url: `${base}/img` });
    await expect(fetchImage(`${base}/redirect-private`, limits)).rejects.toThrow(
      /10\.0\.0\.1, which is not a public address/,
    );
    await expect(fetchImage(`${base}/loop`, limits)).rejects.toThrow(/more than 5 redirects/);
  });

  it('bounds size and time, and reports HTTP errors', async () => {
    await expect(fetchImage(`${base}/img`, { ...limits, maxBytes: 100 })).rejects.toThrow(
      /at most 100 are accepted/,
    );
    await expect(fetchImage(`${base}/slow`, { ...limits, timeoutMs: 300 })).rejects.toThrow(
      /timed out|cannot fetch/,
    );
    await expect(fetchImage(`${base}/missing`, limits)).rejects.toThrow(/HTTP 404/);
  });
});
