import { createHash, randomUUID } from 'node:crypto';
import type { ApprovalChain, Person } from '../../shared/domain/approval.ts';
import type { OutboxEmail } from '../../shared/adapters/local/outbox-email-sender.ts';
import { type startApprovalFlow, waitForEmails } from '../helpers/approval-flow.ts';
import { loadTruth } from '../helpers/fixtures.ts';
import { storePlanRevision } from '../helpers/stored-plans.ts';

/** Shared by the approval security tests: a plan of its own establishment, with its own chain. */
export type ApprovalFlow = Awaited<ReturnType<typeof startApprovalFlow>>;

export const person = (name: string): Person => ({ name, email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@plans.example.gov.uk` });

/** Stores a plan for an establishment of its own (`HMP <name>`) and sets that establishment's chain. */
export async function storePlanWithChain(flow: ApprovalFlow, name: string, chain: ApprovalChain): Promise<{ planId: string; establishment: string }> {
  const establishment = `HMP ${name}`;
  const plan = { ...loadTruth('hmp-liverpool-2018'), establishment, source: `${name.toLowerCase().replace(/\W+/g, '-')}.pdf` };
  const stored = await storePlanRevision({ uploads: flow.uploads, plans: flow.plans }, plan, {
    contentSha256: createHash('sha256').update(randomUUID()).digest('hex'),
  });
  const establishmentId = (await flow.plans.getPlan(stored.planId))?.establishmentId;
  if (!establishmentId) throw new Error(`The plan of ${establishment} has no establishment id`);
  await flow.approvals.putChain(establishmentId, chain, 'test', new Date().toISOString());
  return { planId: stored.planId, establishment };
}

/** The emails of one establishment's plan, of one category, to one address. */
export const emailsAbout = (establishment: string, category: string, to?: Person) => (email: OutboxEmail) =>
  email.subject.includes(establishment) && email.category === category && (to === undefined || email.to.includes(to.email));

export async function requestTo(flow: ApprovalFlow, establishment: string, to: Person): Promise<OutboxEmail> {
  const [email] = await waitForEmails(flow.outbox, emailsAbout(establishment, 'approval-request', to));
  if (!email) throw new Error(`No approval request to ${to.email}`);
  return email;
}
