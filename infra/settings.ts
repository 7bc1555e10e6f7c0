import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

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
  };
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
