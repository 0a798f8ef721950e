/** Bits of a label's key; a pair of keys (the store's pair key) stays within JavaScript's safe integers. */
export const LABEL_KEY_BITS = 26;
export const LABEL_KEY_SPAN = 2 ** LABEL_KEY_BITS;

/**
 * A (normalised) label's key: FNV-1a over its UTF-8 bytes, cut to LABEL_KEY_BITS. Different labels
 * may share a key, so every match through a key also compares the labels themselves.
 */
export function labelKey(label: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(label, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % LABEL_KEY_SPAN;
}
