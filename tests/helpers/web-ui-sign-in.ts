/**
 * Signing in to the local web UI as its sign-in form does: a same-site POST of the form's fields to
 * /ui/sign-in, its redirect not followed.
 */

export interface WebUiPerson {
  name: string;
  role: string;
  /** An establishment id ("liverpool"); none for an admin or a viewer. */
  establishment?: string;
}

/** Posts the sign-in form (with any other fields, such as `next`, and headers) and gives the answer as it came. */
export function postSignInForm(baseUrl: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}/ui/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

/** The session cookie's `name=value`, from a sign-in's Set-Cookie; empty when it set none. */
export function sessionCookieOf(response: Response): string {
  return response.headers.get('set-cookie')?.split(';')[0] ?? '';
}

/** Signs in as `person`; the session cookie to send with each page asked for after. */
export async function signInToWebUi(baseUrl: string, { name, role, establishment = '' }: WebUiPerson): Promise<string> {
  const response = await postSignInForm(baseUrl, { name, role, establishment });
  if (response.status !== 303 || !sessionCookieOf(response)) {
    throw new Error(`Signing in as ${name} (${role}) answered ${response.status}, not a redirect with a session: ${await response.text()}`);
  }
  return sessionCookieOf(response);
}
