import { describe, expect, it } from 'vitest';
import { principalFromClaims } from '../../functions/lib/principal.ts';
import { canReadPlan, draftsVisibleTo, type Principal } from '../../shared/domain/access.ts';
import { decodeCursor, encodeCursor } from '../../shared/domain/cursor.ts';
import { answerIssues, formatOfAnsweredDraft } from '../../shared/domain/draft-answer.ts';
import type { PlanItem } from '../../shared/domain/plan.ts';
import { csvCell, toCsv } from '../../shared/presentation/csv.ts';

const staff = (establishmentId: string): Principal => ({ subject: 's', role: 'staff', establishmentId, email: null });

describe('CSV', () => {
  it('follows RFC 4180: CRLF, quotes doubled, fields with commas, quotes or breaks quoted', () => {
    expect(toCsv({ columns: ['a', 'b'], rows: [['x, y', 'say "hi"'], ['line\nbreak', null]] })).toBe(
      'a,b\r\n"x, y","say ""hi"""\r\n"line\nbreak",\r\n',
    );
  });

  it('defuses formulas: cells starting with = + - @ get a leading quote', () => {
    expect(['=SUM(A1)', '+1', '-2', '@cmd', 'plain'].map(csvCell)).toEqual(["'=SUM(A1)", "'+1", "'-2", "'@cmd", 'plain']);
    expect(csvCell(-2)).toBe('-2');
  });
});

describe('cursor', () => {
  it('round-trips within its query and is refused by another', () => {
    const cursor = encodeCursor('store-key', { list: 'plans', status: 'parsed' });
    expect(decodeCursor(cursor, { list: 'plans', status: 'parsed' })).toBe('store-key');
    expect(() => decodeCursor(cursor, { list: 'plans' })).toThrow(/not one this list handed out/);
    expect(() => decodeCursor('garbage', { list: 'plans' })).toThrow(/not one this list handed out/);
  });
});

describe('access rules', () => {
  const draft = { status: 'awaiting_response' as const, establishmentId: 'bristol' };
  it('shows drafts only to their own staff and admins', () => {
    expect(canReadPlan(staff('bristol'), draft)).toBe(true);
    expect(canReadPlan(staff('liverpool'), draft)).toBe(false);
    expect(canReadPlan({ ...staff('x'), role: 'viewer', establishmentId: null }, draft)).toBe(false);
    expect(canReadPlan({ ...staff('x'), role: 'admin' }, draft)).toBe(true);
    expect(canReadPlan(staff('liverpool'), { ...draft, status: 'parsed' })).toBe(true);
    expect(draftsVisibleTo(staff('bristol'))).toBe('bristol');
  });

  it('reads the principal from claims as API Gateway passes them', () => {
    expect(principalFromClaims({ sub: 'u1', 'cognito:groups': '[viewer admin]' }).role).toBe('admin');
    expect(principalFromClaims({ sub: 'u1', 'custom:role': 'staff', 'custom:establishment': 'leeds' })).toEqual({
      subject: 'u1',
      role: 'staff',
      establishmentId: 'leeds',
      email: null,
    });
    expect(() => principalFromClaims(undefined)).toThrow(/bearer token/);
    expect(() => principalFromClaims({ sub: 'u1' })).toThrow(/no role/);
  });
});

describe('draft answers', () => {
  const item: PlanItem = { ref: '1', kind: 'recommendation', addressee: null, section: null, text: 't', decision: null, actions: [] };
  it('needs a decision of the plan’s vocabulary and an action unless declined', () => {
    expect(answerIssues(item, { decision: 'not_agreed', actions: [] }, [])).toEqual([]);
    expect(answerIssues(item, { decision: 'agreed', actions: [] }, []).map((i) => i.pointer)).toEqual(['body.actions']);
    const other = { ...item, ref: '2', decision: 'accepted' as const };
    expect(answerIssues(item, { decision: 'rejected', actions: [] }, [other])).toEqual([]);
    expect(answerIssues(item, { decision: 'not_agreed', actions: [] }, [other]).map((i) => i.pointer)).toEqual(['body.decision']);
    expect(formatOfAnsweredDraft([other])).toBe('accepted-2015');
  });
});

describe('safeFileName', () => {
  it('keeps a file\'s own name, cleaned, ending in .pdf', async () => {
    const { safeFileName } = await import('../../shared/usecases/request-upload.ts');
    expect(safeFileName('HMP Liverpool action plan.pdf')).toBe('HMP Liverpool action plan.pdf');
    expect(safeFileName('C:\\Users\\me\\plan (v2).PDF')).toBe('plan (v2).PDF');
    expect(safeFileName('../../etc/passwd')).toBe('passwd.pdf');
    expect(safeFileName('rapport d’inspection é.pdf')).toBe('rapport d-inspection e.pdf');
    expect(safeFileName('<script>.pdf')).toBe('script-.pdf');
    expect(safeFileName(undefined)).toBe('upload.pdf');
    expect(safeFileName('.pdf')).toBe('upload.pdf');
    expect(safeFileName(`${'a'.repeat(300)}.pdf`)).toHaveLength(124);
  });
});
