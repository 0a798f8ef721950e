/** `levels` fragments, each spreading the one below twice: 2^levels fields in a few hundred bytes. */
export function fragmentBomb(levels: number): string {
  const parts = ['query { images { edges { node { ...F' + levels + ' } } } }', 'fragment F0 on Image { id }'];
  for (let i = 1; i <= levels; i++) parts.push(`fragment F${i} on Image { ...F${i - 1} ...F${i - 1} }`);
  return parts.join('\n');
}
