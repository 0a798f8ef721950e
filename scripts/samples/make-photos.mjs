// Makes samples/photos/ from the test images that Debian's python3-skimage package ships
// (apt-get install python3-skimage): four photos as JPEG, and the measured depth of the motorcycle
// photo as a 16-bit PNG in millimetres (samples/depth/, apart so that a folder ingest does not take it for a photo). Run: node scripts/samples/make-photos.mjs [skimage data dir]
//
// The motorcycle is Middlebury 2014 "Motorcycle" (left view), down-sampled by 4 by scikit-image; its
// ground-truth disparity comes with it, and the calibration of the down-sampled pair is published
// with it (focal length 994.978 px, principal point offset dx 31.086 px, baseline 193.001 mm), so
// depth = focal * baseline / (disparity + dx). Pixels without ground truth (inf/NaN) are written as 0,
// which the depth reader treats as "no depth".
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import sharp from 'sharp';

const src = process.argv[2] ?? '/usr/lib/python3/dist-packages/skimage/data';
const samples = path.resolve(path.dirname(new globalThis.URL(import.meta.url).pathname), '../../samples');
const out = path.join(samples, 'photos');

const photos = { astronaut: 'astronaut.png', chelsea: 'chelsea.png', coffee: 'coffee.png', motorcycle: 'motorcycle_left.png' };
for (const [name, file] of Object.entries(photos)) {
  await sharp(path.join(src, file)).jpeg({ quality: 88, mozjpeg: true }).toFile(path.join(out, `${name}.jpg`));
}

/** The first member of a .npz (a zip of .npy files), inflated. */
function firstNpzMember(buf) {
  if (buf.readUInt32LE(0) !== 0x04034b50) throw new Error('not a zip file');
  const method = buf.readUInt16LE(8);
  const compressed = buf.readUInt32LE(18);
  const nameLen = buf.readUInt16LE(26);
  const extraLen = buf.readUInt16LE(28);
  const start = 30 + nameLen + extraLen;
  const data = buf.subarray(start, start + compressed);
  if (method === 0) return data;
  if (method === 8) return inflateRawSync(data);
  throw new Error(`zip method ${method} not supported`);
}

const npy = firstNpzMember(readFileSync(path.join(src, 'motorcycle_disp.npz')));
const headerLen = npy.readUInt16LE(8);
const header = npy.subarray(10, 10 + headerLen).toString('latin1');
const shape = header.match(/'shape': \((\d+), (\d+)\)/).slice(1).map(Number);
if (!header.includes("'descr': '<f4'")) throw new Error(`expected little-endian float32, got ${header}`);
const [h, w] = shape;
const disp = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + headerLen, npy.byteOffset + 10 + headerLen + w * h * 4));
const FOCAL = 994.978;
const DOFFS = 31.086;
const BASELINE_MM = 193.001;
const mm = new Uint16Array(w * h);
for (let i = 0; i < mm.length; i++) {
  const d = disp[i];
  mm[i] = Number.isFinite(d) && d > 0 ? Math.min(65535, Math.round((FOCAL * BASELINE_MM) / (d + DOFFS))) : 0;
}
await sharp(mm, { raw: { width: w, height: h, channels: 1, premultiplied: false } })
  .toColourspace('grey16')
  .png({ compressionLevel: 9 })
  .toFile(path.join(samples, 'depth', 'motorcycle.depth.png'));
console.log(`wrote ${Object.keys(photos).length} photos to ${out} and depth/motorcycle.depth.png (${w}x${h})`);
