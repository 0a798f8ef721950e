/**
 * Downloads one file of a hub model to its place in MODEL_DIR, so that the final path only ever holds
 * bytes whose checksum was verified:
 *
 * 1. Bytes go to `<path>.part`. A part left by an earlier attempt or an earlier run is continued with a
 *    `Range: bytes=N-` request: a 206 whose Content-Range starts at N appends; a 200 means the server
 *    ignored the range, and the part is rewritten from the start; a 416 whose total equals N means the
 *    part is already complete.
 * 2. Stalls (no byte for `timeoutMs`), dropped connections and 5xx are retried, resuming from the part,
 *    with a doubling pause; DNS failures and refused connections are not (the hub is unreachable).
 * 3. At the end the size and the sha256 (or, for plain git files, the git blob id) are compared with
 *    what the registry pins or the hub lists. On a match the part is renamed into place (atomic on one
 *    filesystem); on a mismatch it is deleted and the error names the file and both values.
 */

import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../src/errors/errors';
import { digestFileInto, FileDigest } from './checksum';
import { ChecksumMismatchError, HubFileRef, HubRefusedError, HubUnreachableError } from './errors';
import { classifyFailure, IdleDeadline, openRequest, TransferFailure } from './http';
import { HUB_DEFAULTS, HubClientOptions, normaliseEndpoint, sleep } from './hub';

export interface ExpectedFile {
  size?: number;
  sha256?: string;
  /** Git blob id; checked only when `size` is known (the id hashes a header holding the size). */
  gitOid?: string;
}

export interface DownloadProgress {
  file: string;
  received: number;
  total?: number;
  /** Bytes that were already in the part file when this download started. */
  resumedFrom: number;
}

export interface DownloadOptions extends HubClientOptions {
  onProgress?: (p: DownloadProgress) => void;
}

export interface DownloadResult {
  sha256: string;
  size: number;
  resumedFrom: number;
  attempts: number;
  /** The commit the hub resolved the revision to (`X-Repo-Commit` of its first response). */
  commit?: string;
}

export const partPathOf = (localPath: string): string => `${localPath}.part`;

async function sizeOf(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
}

const FLUSH_BYTES = 1 << 20;

// Parses a Content-Range value: "bytes a-b/total", or "bytes (asterisk)/total" on a 416.
function parseContentRange(v: string | null): { start?: number; total?: number } {
  const m = v && /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(v.trim());
  if (!m) return {};
  return {
    start: m[1] !== undefined ? Number(m[1]) : undefined,
    total: m[2] !== '*' ? Number(m[2]) : undefined,
  };
}

export async function downloadFile(
  ref: HubFileRef,
  expected: ExpectedFile,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  const part = partPathOf(ref.localPath);
  const retries = opts.retries ?? HUB_DEFAULTS.retries;
  const delay = opts.retryDelayMs ?? HUB_DEFAULTS.retryDelayMs;
  const authOrigin = new URL(normaliseEndpoint(opts.endpoint)).origin;
  const gitSize = expected.gitOid !== undefined ? expected.size : undefined;
  await mkdir(path.dirname(ref.localPath), { recursive: true });

  // The digest always covers exactly the bytes of the part file; it is rebuilt from disk when not.
  let digest: FileDigest | undefined;
  let resumedFrom: number | undefined;
  let commit: string | undefined;
  let attempts = 0;

  const mismatch = async (
    kind: 'sha256' | 'git-sha1' | 'size',
    want: string,
    got: string,
  ): Promise<never> => {
    await rm(part, { force: true });
    throw new ChecksumMismatchError(ref, kind, want, got);
  };

  const syncDigest = async (partSize: number): Promise<FileDigest> => {
    if (!digest || digest.bytes !== partSize) {
      digest = new FileDigest(gitSize);
      if (partSize > 0) await digestFileInto(part, digest);
    }
    return digest;
  };

  for (let attempt = 0; ; attempt++) {
    let partSize = (await sizeOf(part)) ?? 0;
    if (expected.size !== undefined && partSize > expected.size) {
      await rm(part, { force: true });
      partSize = 0;
    }
    if (expected.size !== undefined && partSize === expected.size && partSize > 0) break;
    let dig = await syncDigest(partSize);
    const deadline = new IdleDeadline(opts.timeoutMs ?? HUB_DEFAULTS.timeoutMs);
    let handle: FileHandle | undefined;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (pendingBytes === 0 || !handle) return;
      const buf = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await writeAll(handle, buf);
    };
    attempts++;
    try {
      const { response, url, firstHeaders } = await openRequest(ref.url, {
        headers: partSize > 0 ? { range: `bytes=${partSize}-` } : {},
        token: opts.token,
        authOrigin,
        deadline,
        fetch: opts.fetch,
      });
      commit ??= firstHeaders.get('x-repo-commit') ?? undefined;
      let total: number | undefined;
      if (response.status === 416) {
        await response.body?.cancel().catch(() => undefined);
        const { total: t } = parseContentRange(response.headers.get('content-range'));
        if (t !== undefined && t === partSize) break;
        await rm(part, { force: true });
        throw new TransferFailure('interrupted', `the server refused to resume at byte ${partSize}`, url);
      }
      if (response.status === 206) {
        const cr = parseContentRange(response.headers.get('content-range'));
        if (cr.start !== partSize) {
          await response.body?.cancel().catch(() => undefined);
          await rm(part, { force: true });
          throw new TransferFailure(
            'interrupted',
            `the server resumed at byte ${cr.start}, not ${partSize}`,
            url,
          );
        }
        total = cr.total;
      } else if (response.status === 200) {
        if (partSize > 0) {
          // The server ignored the range: start again.
          partSize = 0;
          dig = digest = new FileDigest(gitSize);
        }
        const len = response.headers.get('content-length');
        total = len !== null ? Number(len) : undefined;
      } else {
        await response.body?.cancel().catch(() => undefined);
        throw new TransferFailure('http', `HTTP ${response.status}`, url, response.status);
      }
      if (expected.size !== undefined && total !== undefined && total !== expected.size) {
        await response.body?.cancel().catch(() => undefined);
        await mismatch('size', String(expected.size), `${total} (as the server announces it)`);
      }
      resumedFrom ??= partSize;
      const size = expected.size ?? total;
      handle = await open(part, partSize > 0 ? 'a' : 'w');
      if (!response.body) throw new TransferFailure('interrupted', 'the response has no body', url);
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        deadline.touch();
        const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
        dig.update(chunk);
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= FLUSH_BYTES) await flush();
        if (size !== undefined && dig.bytes > size) {
          await reader.cancel().catch(() => undefined);
          await mismatch('size', String(size), `more than ${size} bytes`);
        }
        opts.onProgress?.({ file: ref.file, received: dig.bytes, total: size, resumedFrom });
      }
      await flush();
      if (size !== undefined && dig.bytes < size) {
        throw new TransferFailure(
          'interrupted',
          `the connection closed after ${dig.bytes} of ${size} bytes`,
          url,
        );
      }
      break;
    } catch (err) {
      // Bytes received before the failure belong in the part: the next attempt resumes after them.
      await flush().catch(() => undefined);
      if (err instanceof AppError) throw err;
      const failure = classifyFailure(err, ref.url, deadline);
      if (failure.kind === 'http' && !failure.retryable && failure.status !== undefined) {
        throw new HubRefusedError([ref], failure.status, failure.url);
      }
      if (failure.kind !== 'unreachable' && failure.retryable && attempt < retries) {
        await sleep(delay * 2 ** attempt);
        continue;
      }
      const kept = (await sizeOf(part)) ?? 0;
      const tail =
        failure.kind === 'unreachable'
          ? ''
          : `; gave up after ${attempts} attempt${attempts === 1 ? '' : 's'}` +
            (kept > 0 ? `; ${kept} bytes are kept in ${part} and the next pull resumes from there` : '');
      throw new HubUnreachableError([ref], `${failure.message} (${failure.url})${tail}`, { cause: failure });
    } finally {
      deadline.clear();
      await handle?.close().catch(() => undefined);
    }
  }

  const partSize = (await sizeOf(part)) ?? 0;
  const final = (await syncDigest(partSize)).digest();
  if (expected.size !== undefined && final.size !== expected.size) {
    await mismatch('size', String(expected.size), String(final.size));
  }
  if (expected.sha256 !== undefined && final.sha256 !== expected.sha256) {
    await mismatch('sha256', expected.sha256, final.sha256);
  }
  if (expected.gitOid !== undefined && final.gitSha1 !== undefined && final.gitSha1 !== expected.gitOid) {
    await mismatch('git-sha1', expected.gitOid, final.gitSha1);
  }
  await rename(part, ref.localPath);
  return { sha256: final.sha256, size: final.size, resumedFrom: resumedFrom ?? partSize, attempts, commit };
}
