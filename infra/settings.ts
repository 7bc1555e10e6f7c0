import { Duration } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { ApprovalChain } from '../shared/domain/approval.ts';

/**
 * What differs between deployments, read from CDK context: the defaults live in cdk.json under
 * `actionPlans:*` keys, and any of them can be overridden per synth, e.g.
 * `cdk synth -c actionPlans:stage=prod -c actionPlans:uploadAllowedOrigins=https://plans.example.gov.uk`.
 */
export interface ActionPlansSettings {
  /** Names the deployment: the stack is `ActionPlans-<stage>`, and every resource is tagged with it. */
  stage: string;
  /** Browser origins that may upload with presigned URLs (CORS on the upload bucket). */
  uploadAllowedOrigins: string[];
  /** An analysis running longer than this is checked with Textract by the sweeper. */
  stallAfterMinutes: number;
  /** Days a replaced or deleted upload's previous version is kept. */
  noncurrentUploadVersionsExpireAfterDays: number;
  logRetention: RetentionDays;
  approval: ApprovalSettings;
  /** The query API stage's throttling: steady requests per second, and burst. */
  apiThrottle: { rateLimit: number; burstLimit: number };
  /**
   * The public approval link pages' own throttling (`GET`/`POST /approvals/{token}`, route-level on
   * the same stage), so a flood of link requests cannot use up the API's, nor the API's the links'.
   */
  approvalLinkThrottle: { rateLimit: number; burstLimit: number };
}

/** The approval flow's settings: who is asked by default, how long links work, when to remind and escalate. */
export interface ApprovalSettings {
  /** The verified SES identity approval emails come from (`approvals@plans.example.gov.uk`). */
  emailFrom: string;
  /** The SES identity that address belongs to: the address itself, or its verified domain. */
  sesIdentity: string;
  /** The chain an establishment gets until its own is set through the API; absent: one must be set. */
  defaultChain: ApprovalChain | null;
  linkValidity: Duration;
  reminderAfter: Duration;
  escalateAfter: Duration;
}

const PREFIX = 'actionPlans:';

export function readSettings(node: Node): ActionPlansSettings {
  const stage = text(node, 'stage');
  if (!/^[A-Za-z][A-Za-z0-9-]{0,30}$/.test(stage)) {
    throw new Error(`${PREFIX}stage must be a letter then up to 30 letters, digits or dashes, not "${stage}"`);
  }
  const logRetentionDays = wholeNumber(node, 'logRetentionDays');
  if (!(Object.values(RetentionDays) as number[]).includes(logRetentionDays)) {
    throw new Error(`${PREFIX}logRetentionDays must be a retention CloudWatch Logs offers (1, 3, 5, 7, 14, 30, 60, 90, …), not ${logRetentionDays}`);
  }
  return {
    stage,
    uploadAllowedOrigins: origins(node, 'uploadAllowedOrigins'),
    stallAfterMinutes: wholeNumber(node, 'stallAfterMinutes'),
    noncurrentUploadVersionsExpireAfterDays: wholeNumber(node, 'noncurrentUploadVersionsExpireAfterDays'),
    logRetention: logRetentionDays as RetentionDays,
    approval: approvalSettings(node),
    apiThrottle: { rateLimit: wholeNumber(node, 'apiThrottleRatePerSecond'), burstLimit: wholeNumber(node, 'apiThrottleBurst') },
    approvalLinkThrottle: {
      rateLimit: wholeNumber(node, 'approvalLinkThrottleRatePerSecond'),
      burstLimit: wholeNumber(node, 'approvalLinkThrottleBurst'),
    },
  };
}

function approvalSettings(node: Node): ApprovalSettings {
  const emailFrom = text(node, 'approvalEmailFrom');
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(emailFrom)) throw new Error(`${PREFIX}approvalEmailFrom must be an email address, not "${emailFrom}"`);
  const identity = node.tryGetContext(`${PREFIX}sesIdentity`) as unknown;
  const linkValidity = duration(node, 'approvalLinkValidity');
  const reminderAfter = duration(node, 'approvalReminderAfter');
  const escalateAfter = duration(node, 'approvalEscalateAfter');
  if (reminderAfter.toSeconds() >= linkValidity.toSeconds()) throw new Error(`${PREFIX}approvalReminderAfter must be shorter than approvalLinkValidity`);
  return {
    emailFrom,
    sesIdentity: typeof identity === 'string' && identity !== '' ? identity : (emailFrom.split('@')[1] as string),
    defaultChain: defaultChain(node),
    linkValidity,
    reminderAfter,
    escalateAfter,
  };
}

/** An ISO 8601 duration (`P7D`, `PT12H`, `PT30S`). */
function duration(node: Node, name: string): Duration {
  const value = text(node, name);
  try {
    const parsed = Duration.parse(value);
    if (parsed.toSeconds() < 1) throw new Error('too short');
    return parsed;
  } catch {
    throw new Error(`CDK context ${PREFIX}${name} must be an ISO 8601 duration of at least a second (P7D, PT12H), not "${value}"`);
  }
}

/** JSON in cdk.json, or a JSON string from `-c`; `null` leaves establishments without a default. */
function defaultChain(node: Node): ApprovalChain | null {
  const raw = node.tryGetContext(`${PREFIX}defaultApprovalChain`) as unknown;
  if (raw === undefined || raw === null || raw === '') return null;
  const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
  const parsed = ApprovalChain.safeParse(value);
  if (!parsed.success) {
    throw new Error(`CDK context ${PREFIX}defaultApprovalChain is not an approval chain: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  return parsed.data;
}

function required(node: Node, name: string): unknown {
  const value: unknown = node.tryGetContext(PREFIX + name);
  if (value === undefined || value === null || value === '') throw new Error(`CDK context ${PREFIX}${name} is not set (see cdk.json)`);
  return value;
}

function text(node: Node, name: string): string {
  const value = required(node, name);
  if (typeof value !== 'string') throw new Error(`CDK context ${PREFIX}${name} must be a string`);
  return value;
}

/** A number in cdk.json, or the same as a string from `-c name=value`. */
function wholeNumber(node: Node, name: string): number {
  const value = Number(required(node, name));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`CDK context ${PREFIX}${name} must be a whole number above 0`);
  return value;
}

/** A list in cdk.json, or a comma-separated string from `-c name=a,b`. */
function origins(node: Node, name: string): string[] {
  const value = required(node, name);
  const list = typeof value === 'string' ? value.split(',').map((origin) => origin.trim()) : value;
  if (!Array.isArray(list) || list.length === 0) throw new Error(`CDK context ${PREFIX}${name} must list at least one origin`);
  for (const origin of list) {
    if (typeof origin !== 'string' || !/^https?:\/\/[^/\s*]+$/.test(origin)) {
      throw new Error(`CDK context ${PREFIX}${name}: "${String(origin)}" is not an origin (scheme://host[:port], no path, no wildcard)`);
    }
  }
  return list as string[];
}
