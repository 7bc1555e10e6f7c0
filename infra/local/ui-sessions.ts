import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../../shared/domain/access.ts';

/**
 * The local web UI's sign-ins: a random session id (256 bits) in an HttpOnly, SameSite=Strict
 * cookie, mapped here, in memory, to who signed in and until when. Nothing about the person is in
 * the cookie, so it cannot be edited into another role; a restart of `npm start` signs everyone out.
 */

export const SESSION_COOKIE = 'ui_session';
export const SESSION_LIFETIME_SECONDS = 8 * 60 * 60;

export interface UiSession {
  /** The name the person signed in with, for the page header. */
  name: string;
  principal: Principal;
  expiresAt: Date;
}

export interface UiSessions {
  /** Starts a session; returns the Set-Cookie header value. */
  start(name: string, principal: Principal): string;
  /** The request's session, if its cookie names a live one. */
  find(request: IncomingMessage): UiSession | null;
  /** Ends the request's session; returns the Set-Cookie header value that clears the cookie. */
  end(request: IncomingMessage): string;
}

function cookieOf(request: IncomingMessage, name: string): string | null {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return null;
}

const cookie = (value: string, maxAgeSeconds: number) =>
  `${SESSION_COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}`;

export function createUiSessions({ now = () => new Date(), lifetimeSeconds = SESSION_LIFETIME_SECONDS } = {}): UiSessions {
  const sessions = new Map<string, UiSession>();

  function dropExpired(): void {
    const time = now().getTime();
    for (const [id, session] of sessions) if (session.expiresAt.getTime() <= time) sessions.delete(id);
  }

  return {
    start(name, principal) {
      dropExpired();
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { name, principal, expiresAt: new Date(now().getTime() + lifetimeSeconds * 1000) });
      return cookie(id, lifetimeSeconds);
    },
    find(request) {
      const id = cookieOf(request, SESSION_COOKIE);
      const session = id === null ? undefined : sessions.get(id);
      if (!session) return null;
      if (session.expiresAt.getTime() <= now().getTime()) {
        sessions.delete(id!);
        return null;
      }
      return session;
    },
    end(request) {
      const id = cookieOf(request, SESSION_COOKIE);
      if (id !== null) sessions.delete(id);
      return cookie('', 0);
    },
  };
}
