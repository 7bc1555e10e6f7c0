/**
 * Prison designations that come and go with an establishment's role ("HMP Doncaster" became
 * "HMP & YOI Doncaster"); the id leaves them out so every plan of one establishment shares it.
 */
const DESIGNATION = '(?:hmp|hmyoi|hmirc|yoi|irc|stc|hm\\s+prison|hm\\s+young\\s+offender\\s+institution)';
const DESIGNATIONS = new RegExp(`^(?:${DESIGNATION}(?:\\s*(?:/|&|\\band\\b)\\s*|\\s+))+`, 'i');

/**
 * The establishment as an id: its name without the designation, lower-cased, words joined by "-"
 * ("HMP Long Lartin" → "long-lartin", "HMP/YOI Bristol" → "bristol", "HMP King's Lynn" →
 * "kings-lynn"). A name that is nothing but a designation keeps it. Null when there is no name.
 * Plans are stored under it, and staff belong to the establishment it names (`custom:establishment`).
 */
export function establishmentIdOf(establishment: string | null): string | null {
  if (!establishment) return null;
  return slug(establishment.replace(DESIGNATIONS, '')) || slug(establishment) || null;
}

function slug(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
