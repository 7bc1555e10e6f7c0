import { type Role, ROLES } from '../../domain/access.ts';
import { type HtmlPage, html } from '../html.ts';
import { errorSummary, layout } from './layout.ts';

/**
 * The local web UI's sign-in (GET /ui/sign-in): who you are (a name), your role, and for staff
 * your establishment (one of those known, or typed). The local stand-in for Cognito's sign-in: no
 * password, since it runs on the developer's own machine, but every page then acts as that person.
 */

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  viewer: 'Viewer: reads plans that are not drafts',
  staff: 'Staff: as a viewer, plus your establishment’s drafts, uploads and sending for approval',
  approver: 'Approver: as a viewer, plus the approvers and approval audit of the establishment you approve for',
  admin: 'Admin: everything, for every establishment',
};

export interface SignInValues {
  name?: string;
  role?: string;
  establishment?: string;
}

export interface SignInPageInput {
  /** Establishments to pick from (id and name); another may be typed. */
  establishments: readonly { establishmentId: string; name: string }[];
  /** The local page to go back to once signed in. */
  next: string;
  values?: SignInValues;
  /** What is wrong with the form sent; the page is served with status 400. */
  problems?: readonly string[];
}

export function renderSignInPage({ establishments, next, values = {}, problems = [] }: SignInPageInput): HtmlPage {
  const title = 'Sign in';
  const body = html`${problems.length ? errorSummary(problems) : null}<h1>${title}</h1>
<p>Choose who you are on this local copy of the service. Every page then shows and does what that person may.</p>
<form method="post" action="/ui/sign-in" class="sign-in">
<input type="hidden" name="next" value="${next}">
<label for="name">Your name</label>
<input type="text" id="name" name="name" value="${values.name ?? ''}" maxlength="80" autocomplete="name" required>
<fieldset>
<legend>Your role</legend>
${ROLES.map(
  (role) => html`<div class="radio"><input type="radio" id="${`role-${role}`}" name="role" value="${role}"${values.role === role ? html` checked` : null}><label for="${`role-${role}`}">${ROLE_DESCRIPTIONS[role]}</label></div>
`,
)}</fieldset>
<label for="establishment">Your establishment (staff must give theirs; an approver may give the one they approve for)</label>
<p class="hint">Pick one, or type its id (lower case letters, digits and dashes, such as liverpool).</p>
<input type="text" id="establishment" name="establishment" value="${values.establishment ?? ''}" list="known-establishments" maxlength="80">
<datalist id="known-establishments">
${establishments.map((establishment) => html`<option value="${establishment.establishmentId}">${establishment.name}</option>\n`)}</datalist>
<p><button type="submit" class="button">Sign in</button></p>
</form>`;
  return layout({ title: problems.length ? `Error: ${title}` : title, body, status: problems.length ? 400 : 200, current: null });
}
