/**
 * Fetches an image URL for `ingestImage` without letting the service be used to reach private
 * networks (SSRF): only http(s); every address the host name resolves to must be public (not
 * loopback, private, link-local, carrier-grade NAT, multicast, reserved, or an IPv4-mapped form of
 * those); the connection goes to the address that was checked (so a second DNS answer cannot swap in
 * another); redirects are followed by hand, at most five, each target checked the same way; the body is
 * limited in bytes and the whole exchange in time. Failures are UserInputErrors naming the field.
 */

import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { UserInputError } from '../errors/errors';

export interface FetchLimits {
  maxBytes: number;
  timeoutMs: number;
  /** Decides which resolved addresses may be contacted; default: public addresses only. */
  isAllowedAddress?: (address: string) => boolean;
  field?: string;
}

const MAX_REDIRECTS = 5;

function v4ToInt(a: string): number {
  return a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

const V4_BLOCKED: [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

function isPublicV4(address: string): boolean {
  const ip = v4ToInt(address);
  return !V4_BLOCKED.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (ip & mask) >>> 0 === (v4ToInt(base) & mask) >>> 0;
  });
}

/** Expands an IPv6 address to its eight 16-bit groups. */
function v6Groups(address: string): number[] {
  let a = address.toLowerCase().split('%')[0];
  const tailV4 = a.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (tailV4) {
    const n = v4ToInt(tailV4[1]);
    a = a.slice(0, -tailV4[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const fill = a.includes('::') ? 8 - h.length - t.length : 0;
  return [...h, ...Array<string>(fill).fill('0'), ...t].map((g) => parseInt(g, 16));
}

function isPublicV6(address: string): boolean {
  const g = v6Groups(address);
  if (g.length !== 8 || g.some((x) => Number.isNaN(x))) return false;
  if (g.every((x) => x === 0)) return false; // ::
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return false; // ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible: judge the IPv4 address.
  if (g.slice(0, 5).every((x) => x === 0) && (g[5] === 0xffff || g[5] === 0)) {
    return isPublicV4(`${g[6] >> 8}.${g[6] & 255}.${g[7] >> 8}.${g[7] & 255}`);
  }
  if ((g[0] & 0xfe00) === 0xfc00) return false; // fc00::/7 unique local
  if ((g[0] & 0xffc0) === 0xfe80) return false; // fe80::/10 link-local
  if ((g[0] & 0xffc0) === 0xfec0) return false; // fec0::/10 site-local (deprecated)
  if ((g[0] & 0xff00) === 0xff00) return false; // multicast
  if (g[0] === 0x2001 && g[1] === 0x0db8) return false; // documentation
  if (g[0] === 0x0064 && g[1] === 0xff9b) return false; // NAT64 can reach IPv4 private space
  if (g[0] === 0x2002) return false; // 6to4 embeds arbitrary IPv4
  return true;
}

export function isPublicAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return isPublicV4(address);
  if (family === 6) return isPublicV6(address);
  return false;
}

async function resolveChecked(
  host: string,
  allowed: (a: string) => boolean,
  field: string,
): Promise<{ address: string; family: number }> {
  const bare = host.startsWith('[') ? host.slice(1, -1) : host;
  let addresses: { address: string; family: number }[];
  if (net.isIP(bare)) {
    addresses = [{ address: bare, family: net.isIP(bare) }];
  } else {
    try {
      addresses = await dnsLookup(bare, { all: true, verbatim: true });
    } catch {
      throw new UserInputError(`host ${bare} does not resolve`, field);
    }
  }
  const refused = addresses.find((a) => !allowed(a.address));
  if (refused || addresses.length === 0) {
    throw new UserInputError(
      `host ${bare} resolves to ${refused?.address ?? 'nothing'}, which is not a public address; only public http(s) URLs are fetched`,
      field,
    );
  }
  return addresses[0];
}

interface Hop {
  status: number;
  location?: string;
  body?: Buffer;
}

function requestOnce(
  url: URL,
  pinned: { address: string; family: number },
  limits: FetchLimits,
  deadline: number,
  field: string,
): Promise<Hop> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<Hop>((resolve, reject) => {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      reject(new UserInputError(`timed out after ${limits.timeoutMs} ms`, field));
      return;
    }
    const req = client.request(
      url,
      {
        method: 'GET',
        headers: { accept: 'image/*', 'user-agent': 'scenegraph' },
        // Connect to the address that was checked, whatever a second lookup would say.
        lookup: (_host, opts, cb) => {
          if ((opts as { all?: boolean }).all)
            (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
          else cb(null, pinned.address, pinned.family);
        },
        timeout: remaining,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location) {
          res.resume();
          resolve({ status, location: res.headers.location });
          return;
        }
        if (status !== 200) {
          res.resume();
          reject(new UserInputError(`the server answered HTTP ${status}`, field));
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > limits.maxBytes) {
          res.destroy();
          reject(
            new UserInputError(
              `the image is ${declared} bytes; at most ${limits.maxBytes} are accepted`,
              field,
            ),
          );
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxBytes) {
            res.destroy();
            reject(new UserInputError(`the image is over ${limits.maxBytes} bytes`, field));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status, body: Buffer.concat(chunks) }));
        res.on('error', (e) => reject(new UserInputError(`the transfer failed (${e.message})`, field)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${limits.timeoutMs} ms`)));
    req.on('error', (e) =>
      reject(e instanceof UserInputError ? e : new UserInputError(`cannot fetch (${e.message})`, field)),
    );
    req.end();
  });
}

export async function fetchImage(raw: string, limits: FetchLimits): Promise<{ bytes: Buffer; url: string }> {
  const field = limits.field ?? 'url';
  const allowed = limits.isAllowedAddress ?? isPublicAddress;
  const deadline = Date.now() + limits.timeoutMs;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserInputError('is not a valid URL', field);
  }
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UserInputError(`only http and https URLs are fetched; got ${url.protocol}`, field);
    }
    if (url.username || url.password)
      throw new UserInputError('URLs with credentials are not fetched', field);
    const pinned = await resolveChecked(url.hostname, allowed, field);
    const res = await requestOnce(url, pinned, limits, deadline, field);
    if (res.body) return { bytes: res.body, url: url.toString() };
    url = new URL(res.location!, url);
  }
  throw new UserInputError(`more than ${MAX_REDIRECTS} redirects`, field);
}
