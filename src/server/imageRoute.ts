import { createReadStream } from 'node:fs';
import type http from 'node:http';
import sharp from 'sharp';
import type { Database } from '../db/database';
import { UserInputError } from '../errors/errors';
import type { Logger } from '../log/logger';
import { checkThumbnailSize, servableImageFile, type ServableFile } from '../pipeline/localFiles';
import { imagesByIds } from '../store/graph.store';

/**
 * `GET /images/<imageId>`: the original bytes of a stored image whose `uri` is a local file inside
 * INGEST_ROOTS (the same check as every path a request names, src/pipeline/localFiles.ts), with the
 * content type sniffed from the bytes; `?size=N` a JPEG thumbnail with longest side N. Unknown ids,
 * remote or uploaded images, files outside the roots and non-images are 404 alike, so the route tells
 * nothing about the server's files.
 */

export interface ImageRouteOptions {
  db: Database;
  roots: readonly string[];
  maxPixels: number;
  logger: Logger;
}

/** Cache lifetime of an image answer; the ETag (file size and mtime) revalidates after it. */
export const IMAGE_MAX_AGE_S = 3600;

function sendError(res: http.ServerResponse, status: number, message: string, code: string, field?: string) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ error: message, code, ...(field ? { field } : {}) }));
}

/** The local file of a stored image the service may serve, with its type; undefined when not servable. */
export async function servableImage(
  db: Database,
  roots: readonly string[],
  imageId: string,
): Promise<ServableFile | undefined> {
  const row = (await imagesByIds(db, [imageId])).get(imageId);
  return row ? servableImageFile(row.uri, roots) : undefined;
}

export async function serveImage(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  imageId: string,
  search: URLSearchParams,
  opts: ImageRouteOptions,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return sendError(res, 405, 'only GET and HEAD', 'BAD_REQUEST');
  }
  let size: number | undefined;
  const sizeParam = search.get('size');
  if (sizeParam !== null) {
    size = /^\d{1,5}$/.test(sizeParam) ? Number(sizeParam) : NaN;
    try {
      checkThumbnailSize(size, 'size');
    } catch (err) {
      if (err instanceof UserInputError) return sendError(res, 400, err.message, err.code, 'size');
      throw err;
    }
  }
  const image = await servableImage(opts.db, opts.roots, imageId);
  if (!image) return sendError(res, 404, `no servable image with id ${imageId}`, 'NOT_FOUND');

  const etag = `"${image.size.toString(36)}-${Math.floor(image.mtimeMs).toString(36)}${size ? `-t${size}` : ''}"`;
  const headers = {
    etag,
    'cache-control': `private, max-age=${IMAGE_MAX_AGE_S}`,
    'x-content-type-options': 'nosniff',
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  if (size === undefined) {
    res.writeHead(200, { ...headers, 'content-type': image.type, 'content-length': String(image.size) });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(image.file);
    await new Promise<void>((resolve, reject) => {
      stream.on('error', reject);
      res.on('close', () => {
        stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
    return;
  }
  let thumb: Buffer;
  try {
    thumb = await sharp(image.file, { failOn: 'error', limitInputPixels: opts.maxPixels, animated: false })
      .rotate()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch (err) {
    opts.logger.warn({ err, imageId }, 'thumbnail failed');
    return sendError(res, 404, `no servable image with id ${imageId}`, 'NOT_FOUND');
  }
  res.writeHead(200, { ...headers, 'content-type': 'image/jpeg', 'content-length': String(thumb.length) });
  res.end(req.method === 'HEAD' ? undefined : thumb);
}
