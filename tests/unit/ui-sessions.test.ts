import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createUiSessions } from '../../infra/local/ui-sessions.ts';
import type { Principal } from '../../shared/domain/access.ts';

const staff: Principal = { subject: 'local-sam', role: 'staff', establishmentId: 'liverpool', email: 'local-sam@example.gov.uk' };
const requestWith = (cookie: string | undefined) => ({ headers: cookie === undefined ? {} : { cookie } }) as IncomingMessage;
const idOf = (setCookie: string) => setCookie.split(';')[0]!.slice('ui_session='.length);

describe('the local web UI sessions', () => {
  it('find the session of the cookie among others, and nothing for an unknown or missing one', () => {
    const sessions = createUiSessions();
    const id = idOf(sessions.start('Sam', staff));
    expect(sessions.find(requestWith(`theme=dark; ui_session=${id}; other=1`))).toMatchObject({ name: 'Sam', principal: staff });
    expect(sessions.find(requestWith(`ui_session=${id}x`))).toBeNull();
    expect(sessions.find(requestWith('ui_session='))).toBeNull();
    expect(sessions.find(requestWith(undefined))).toBeNull();
  });

  it('end when their time is up', () => {
    let now = new Date('2026-12-01T09:00:00Z');
    const sessions = createUiSessions({ now: () => now, lifetimeSeconds: 60 });
    const cookie = sessions.start('Sam', staff);
    expect(cookie).toMatch(/; HttpOnly; SameSite=Strict; Path=\/; Max-Age=60$/);
    const request = requestWith(cookie.split(';')[0]);
    now = new Date('2026-12-01T09:00:59Z');
    expect(sessions.find(request)).not.toBeNull();
    now = new Date('2026-12-01T09:01:00Z');
    expect(sessions.find(request)).toBeNull();
  });

  it('end on sign-out, with a cookie that clears the browser\'s', () => {
    const sessions = createUiSessions();
    const request = requestWith(sessions.start('Sam', staff).split(';')[0]);
    expect(sessions.end(request)).toBe('ui_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    expect(sessions.find(request)).toBeNull();
  });
});
