/**
 * Small statistics over measurements of a page (line pitches, text sizes), shared by the readers
 * of analysed documents and by the local analyser that produces them.
 */

/** The middle value (the upper one of an even count); 0 for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
