/** Plain-text tables for terminal reports: the first column left-aligned, the others right-aligned. */
export function textTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A fraction as a percentage with two decimals ("14.23"); "-" for null. */
export const percent = (v: number | null): string => (v === null ? '-' : (v * 100).toFixed(2));
