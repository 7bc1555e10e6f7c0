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
    for (const part of line.split(/\/|\s[•●▪·]\s/)) {
      for (const piece of splitAtOwnerAnd(cleanOwner(part))) {
        if (piece && !owners.includes(piece)) owners.push(piece);
      }
    }
  }
  return owners;
}

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
