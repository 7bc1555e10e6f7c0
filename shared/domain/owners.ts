import { WRAPPED_LINE } from './text.ts';

/**
 * A "Responsible owner" cell → one entry per owner: split at line breaks, bullets and "/", trailing
 * full stops dropped, exact duplicates removed, first-appearance order.
 *
 * "and" stays inside an owner ("Learning and Skills Manager", "Substance Misuse and Inpatient Lead",
 * "Head of Health and Safety"), except where it joins two owners that each stand on their own:
 * "NHSE and Deputy Operations Manager" names two owners, as the hand-checked plans read it. An owner
 * stands on its own when it names a role or body (a word such as Head, Manager, Lead, Governor) or is
 * an acronym (NHSE, HMPPS). "&" never splits ("Head of Security & Intelligence").
 */
export function parseOwnerCell(cellText: string): string[] {
  const owners: string[] = [];
  for (const line of cellText.split(/\r?\n/)) {
    for (const part of joinWrappedOwnerLines(line).split(/\/|\s[•●▪·]\s/)) {
      for (const piece of splitAtOwnerAnd(cleanOwner(part))) {
        if (piece && !owners.includes(piece)) owners.push(piece);
      }
    }
  }
  return owners;
}

/**
 * A narrow owner column wraps where the author may have broken the line too: "Senior Pharmacist" then
 * "Substance Misuse and Inpatient Lead" reads the same whether the break was typed or the next word
 * did not fit. A wrap right after a role word ("…Pharmacist", "…Manager"), before a line that names
 * an owner of its own, is read as a break between owners; a wrap before an acronym alone ("Care Group
 * Manager" / "LCFT") or inside a name ("Head of Reducing" / "Reoffending") is not.
 */
function joinWrappedOwnerLines(line: string): string {
  const pieces = line.split(WRAPPED_LINE);
  let joined = pieces[0] ?? '';
  for (const piece of pieces.slice(1)) {
    const next = piece.trim();
    const ownerBoundary =
      ROLE_AT_END.test(joined.trim()) && /^\p{Lu}/u.test(next) && standsAlone(next) && !ACRONYMS_ONLY.test(next);
    joined = `${joined}${ownerBoundary ? '/' : ' '}${piece}`;
  }
  return joined;
}

const ROLE_AT_END =
  /\b(?:manager|managers|lead|governor|officer|director|pharmacist|nurse|coordinator|co-ordinator|chaplain|supervisor|administrator|adviser|advisor|analyst|psychologist|clinician|commissioner|controller|team|group|board|committee)$/i;
const ACRONYMS_ONLY = /^[A-Z]{2,}(?:\s+[A-Z]{2,})*$/;

function cleanOwner(text: string): string {
  return text
    .replace(/^\s*[•●▪■◦·*–-]\s*/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\.+$/, '')
    .trim();
}

const ROLE_WORDS =
  /\b(?:head|heads|manager|managers|lead|leads|governor|governors|director|directors|officer|officers|team|group|board|committee|coordinator|co-ordinator|chair|nurse|pharmacist|chaplain|supervisor|department|unit|trust|directorate|office|administrator|adviser|advisor|analyst|psychologist|clinician|commissioner|controller|provider|partnership|services?|staff|chief|deputy)\b/i;

function standsAlone(owner: string): boolean {
  return ROLE_WORDS.test(owner) || /^[A-Z]{2,}(?:\s[A-Z]{2,})*$/.test(owner);
}

function splitAtOwnerAnd(owner: string): string[] {
  const parts = owner.split(/\s+and\s+/i);
  if (parts.length < 2) return [owner];
  // Try each "and" from the left: split only where both sides are owners on their own.
  for (let i = 1; i < parts.length; i++) {
    const left = parts.slice(0, i).join(' and ');
    const right = parts.slice(i).join(' and ');
    if (standsAlone(left) && standsAlone(parts[i]!)) {
      return [left, ...splitAtOwnerAnd(right)];
    }
  }
  return [owner];
}
