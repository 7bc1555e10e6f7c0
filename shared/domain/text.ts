/**
 * Cell text keeps two kinds of line break apart. "\n" is a break the author typed (a new paragraph,
 * bullet or owner); WRAPPED_LINE marks where the column merely wrapped a line, or where a page break
 * cut a cell. It is white space to every reader of prose (`\s` matches it), while the owner and
 * target rules may still look at where a wrapped line began.
 */
export const WRAPPED_LINE = '\u2028';

/** Join two pieces of one cell's text that a wrap or a page break separated. */
export function joinWrapped(before: string, after: string): string {
  if (!after) return before;
  if (!before) return after;
  // A word broken after its hyphen or dash ("under-" + "resourced", "1-" + "hour"), or a dash
  // carried to the next line ("long" + "—term"), joins without a space.
  if (/[\p{L}\p{N}][-–—]$/u.test(before) || /^[–—]\p{L}/u.test(after)) return `${before}${after}`;
  return `${before}${WRAPPED_LINE}${after}`;
}

/** White space (line breaks and wraps included) collapsed to single spaces, ends trimmed. */
export function collapseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
