/**
 * Checksums of model files. Large files on the hub are LFS objects whose metadata is their sha256;
 * small ones (tokenizer files) are plain git blobs whose only published checksum is the git object id,
 * sha1("blob <size>\0" + bytes). Both are computed in one pass so either can be checked.
 */

import { createHash, Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

export class FileDigest {
  private readonly sha256 = createHash('sha256');
  private readonly gitSha1: Hash | undefined;
  bytes = 0;

  /** `gitBlobSize`: the file's full size, needed up front for the git object header. */
  constructor(gitBlobSize?: number) {
    if (gitBlobSize !== undefined) {
      this.gitSha1 = createHash('sha1');
      this.gitSha1.update(`blob ${gitBlobSize}\0`);
    }
  }

  update(chunk: Uint8Array): void {
    this.sha256.update(chunk);
    this.gitSha1?.update(chunk);
    this.bytes += chunk.length;
  }

  digest(): { sha256: string; gitSha1?: string; size: number } {
    return { sha256: this.sha256.digest('hex'), gitSha1: this.gitSha1?.digest('hex'), size: this.bytes };
  }
}

/** Feeds an existing file into `digest`. */
export async function digestFileInto(
  file: string,
  digest: FileDigest,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    digest.update(chunk);
    onBytes?.(digest.bytes);
  }
}

export async function hashFile(
  file: string,
  opts: { withGitSha1?: boolean; onBytes?: (bytes: number) => void } = {},
): Promise<{ sha256: string; gitSha1?: string; size: number }> {
  const digest = new FileDigest(opts.withGitSha1 ? (await stat(file)).size : undefined);
  await digestFileInto(file, digest, opts.onBytes);
  return digest.digest();
}
