import { type Principal, type Role, ROLES, roleFromGroups } from '../../shared/domain/access.ts';
import { ForbiddenError, UnauthenticatedError } from '../../shared/domain/request-errors.ts';

/** JWT claims as API Gateway's JWT authorizer hands them to the function (arrays as "[a b]" strings). */
export type JwtClaims = Record<string, string | number | boolean | string[]>;

/** `cognito:groups` as an array, a JSON array, or API Gateway's "[a b]" rendering. */
export function groupsOf(value: JwtClaims[string] | undefined): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.map(String);
  const text = String(value).trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      return (JSON.parse(text) as unknown[]).map(String);
    } catch {
      // fall through to the space-separated form
    }
  }
  return text.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}

/**
 * Who is calling, from the verified token's claims: the role from `custom:role` or else the most
 * privileged of `cognito:groups`, the establishment from `custom:establishment`. A token with no
 * subject is not a valid identity (401); one with no known role may do nothing (403).
 */
export function principalFromClaims(claims: JwtClaims | undefined): Principal {
  const subject = claims?.sub;
  if (!claims || typeof subject !== 'string' || !subject) throw new UnauthenticatedError();
  const declared = claims['custom:role'];
  const role: Role | null =
    typeof declared === 'string' && (ROLES as readonly string[]).includes(declared)
      ? (declared as Role)
      : roleFromGroups(groupsOf(claims['cognito:groups']));
  if (!role) throw new ForbiddenError(`The token names no role (one of ${ROLES.join(', ')})`);
  const establishment = claims['custom:establishment'];
  const email = claims.email;
  return {
    subject,
    role,
    establishmentId: typeof establishment === 'string' && establishment ? establishment : null,
    email: typeof email === 'string' && email ? email : null,
  };
}
