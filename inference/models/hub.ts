/**
 * The Hugging Face hub as the model store uses it: file URLs, and each file's published size and
 * checksum at a revision. The metadata comes from the tree API,
 *
 *   GET {endpoint}/api/models/{repo}/tree/{revision}/{dir}
 *   -> [{ type: 'file', path, size, oid, lfs?: { oid, size, pointerSize } }, ...]
 *
 * where `lfs.oid` is the sha256 of an LFS (or Xet-backed) file's content and, for a plain git file,
 * `oid` is its git blob id. The listing is paginated with a `Link: <...>; rel="next"` header.
 */

import { z } from 'zod';
import { HubFileRef, HubRefusedError, HubUnreachableError } from './errors';
import { IdleDeadline, openRequest, TransferFailure } from './http';
import type { HubSource } from './modelSpec';

export interface HubClientOptions {
  /** e.g. https://huggingface.co (HF_ENDPOINT), without a trailing slash. */
  endpoint: string;
  /** HF_TOKEN: sent to the endpoint's origin only. */
  token?: string;
  /** Idle limit for a response and between body chunks. Default 30 s. */
  timeoutMs?: number;
  /** Further attempts after a stalled or dropped transfer or a 5xx. Default 4. */
  retries?: number;
  /** First pause between attempts, doubled each time. Default 1 s. */
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

export const HUB_DEFAULTS = { timeoutMs: 30_000, retries: 4, retryDelayMs: 1_000 } as const;

export interface HubFileInfo {
  path: string;
  size: number;
  /** Content sha256, for LFS/Xet files. */
  sha256?: string;
  /** Git blob id (sha1 of "blob <size>\0" + content), for files stored in git itself. */
  gitOid?: string;
}

function encodeSegments(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

export function normaliseEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+$/, '');
}

export function hubFileUrl(endpoint: string, hub: HubSource, filePath: string): string {
  return `${normaliseEndpoint(endpoint)}/${encodeSegments(hub.repo)}/resolve/${encodeURIComponent(hub.revision)}/${encodeSegments(filePath)}`;
}

export function hubTreeUrl(endpoint: string, hub: HubSource, dir: string): string {
  const base = `${normaliseEndpoint(endpoint)}/api/models/${encodeSegments(hub.repo)}/tree/${encodeURIComponent(hub.revision)}`;
  return dir ? `${base}/${encodeSegments(dir)}` : base;
}

const treeEntrySchema = z.object({
  type: z.string(),
  path: z.string(),
  size: z.number().int().nonnegative(),
  oid: z.string().optional(),
  lfs: z.object({ oid: z.string(), size: z.number().int().nonnegative() }).optional(),
});

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function nextLink(headers: Headers, base: string): string | undefined {
  const link = headers.get('link');
  const m = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m ? new URL(m[1], base).toString() : undefined;
}

/** One page of a tree listing, with retries for stalls, drops and 5xx. */
async function fetchTreePage(
  url: string,
  opts: HubClientOptions,
  refs: readonly HubFileRef[],
): Promise<{ entries: z.infer<typeof treeEntrySchema>[]; next?: string }> {
  const retries = opts.retries ?? HUB_DEFAULTS.retries;
  const delay = opts.retryDelayMs ?? HUB_DEFAULTS.retryDelayMs;
  const authOrigin = new URL(normaliseEndpoint(opts.endpoint)).origin;
  for (let attempt = 0; ; attempt++) {
    const deadline = new IdleDeadline(opts.timeoutMs ?? HUB_DEFAULTS.timeoutMs);
    try {
      const { response } = await openRequest(url, {
        headers: { accept: 'application/json' },
        token: opts.token,
        authOrigin,
        deadline,
        fetch: opts.fetch,
      });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw new TransferFailure('http', `HTTP ${response.status}`, url, response.status);
      }
      let json: unknown;
      try {
        json = await response.json();
      } catch (err) {
        throw new TransferFailure('interrupted', `unreadable file listing (${(err as Error).message})`, url);
      }
      const parsed = z.array(treeEntrySchema).safeParse(json);
      if (!parsed.success) {
        throw new HubUnreachableError(refs, `the hub's file listing at ${url} is not in the expected form`);
      }
      return { entries: parsed.data, next: nextLink(response.headers, url) };
    } catch (err) {
      if (!(err instanceof TransferFailure)) throw err;
      if (err.retryable && attempt < retries) {
        await sleep(delay * 2 ** attempt);
        continue;
      }
      if (err.kind === 'http' && err.status !== undefined) throw new HubRefusedError(refs, err.status, url);
      throw new HubUnreachableError(refs, `${err.message} while reading the file listing ${url}`, {
        cause: err,
      });
    } finally {
      deadline.clear();
    }
  }
}

/**
 * Size and checksum the hub lists for each of `paths` at `hub.revision`. `refs` name the model's files
 * the way error messages do (URL and local path): a failed listing names them all, so the user knows
 * every file to place by hand; a file the listing lacks is named alone.
 */
export async function fetchHubFileInfo(
  hub: HubSource,
  paths: readonly string[],
  opts: HubClientOptions,
  refs: readonly HubFileRef[],
): Promise<Map<string, HubFileInfo>> {
  const byDir = new Map<string, string[]>();
  for (const p of paths) {
    const dir = p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '';
    byDir.set(dir, [...(byDir.get(dir) ?? []), p]);
  }
  const out = new Map<string, HubFileInfo>();
  const refFor = (p: string): HubFileRef =>
    refs.find((r) => r.file === p) ?? { model: refs[0]?.model ?? '?', file: p, url: p, localPath: p };
  for (const [dir, wanted] of byDir) {
    const listed = new Map<string, z.infer<typeof treeEntrySchema>>();
    let url: string | undefined = hubTreeUrl(opts.endpoint, hub, dir);
    const first = url;
    for (let page = 0; url && page < 100; page++) {
      const { entries, next } = await fetchTreePage(url, opts, refs);
      for (const e of entries) listed.set(e.path, e);
      url = next;
    }
    for (const p of wanted) {
      const e = listed.get(p);
      if (!e || e.type !== 'file') throw new HubRefusedError([refFor(p)], 404, first);
      out.set(
        p,
        e.lfs ? { path: p, size: e.lfs.size, sha256: e.lfs.oid } : { path: p, size: e.size, gitOid: e.oid },
      );
    }
  }
  return out;
}
