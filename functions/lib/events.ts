import { z } from 'zod';

/** S3 "Object Created" as EventBridge delivers it. */
export const ObjectCreatedEvent = z.object({
  'detail-type': z.literal('Object Created'),
  source: z.literal('aws.s3'),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().optional(),
      'version-id': z.string().min(1).optional(),
    }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof ObjectCreatedEvent>;

/** Textract's completion message, as the SNS subscription delivers it. */
export const TextractCompletionMessage = z.object({
  JobId: z.string().min(1),
  Status: z.enum(['SUCCEEDED', 'FAILED', 'PARTIAL_SUCCESS', 'ERROR']),
  API: z.string(),
  JobTag: z.string().min(1),
  Timestamp: z.number().optional(),
  StatusMessage: z.string().optional(),
});
export type TextractCompletionMessage = z.infer<typeof TextractCompletionMessage>;

export const SnsEvent = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        Sns: z.object({
          MessageId: z.string(),
          Message: z.string().transform((text, context) => {
            try {
              return TextractCompletionMessage.parse(JSON.parse(text));
            } catch (error) {
              context.addIssue({ code: 'custom', message: `not a Textract completion message: ${String(error)}` });
              return z.NEVER;
            }
          }),
        }),
      }),
    )
    .min(1),
});
export type SnsEvent = z.infer<typeof SnsEvent>;

/** An EventBridge schedule's event: only its time matters. */
export const ScheduledEvent = z.object({
  'detail-type': z.literal('Scheduled Event'),
  time: z.string(),
});

/** The approval state machine's input to its task states (infra/constructs/approval.ts). */
const approvalRun = {
  planId: z.string().min(1),
  revision: z.number().int().positive(),
  attempt: z.number().int().positive(),
};

export const BeginApprovalEvent = z.object({ ...approvalRun, executionId: z.string().min(1) });

export const StageDecisionRequestEvent = z.object({
  ...approvalRun,
  stageIndex: z.number().int().nonnegative(),
  round: z.number().int().nonnegative(),
  taskToken: z.string().min(1),
});

export const FinishApprovalEvent = z.object({
  ...approvalRun,
  outcome: z.enum(['approved', 'changes_requested', 'expired', 'failed']),
  /** The caught error, for a flow that ended by one (Step Functions' `{Error, Cause}`). */
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});
