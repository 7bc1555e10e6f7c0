import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { APPROVAL_LINK_ROUTES } from '../functions/api/routes.ts';
import { Approval } from './constructs/approval.ts';
import { Data } from './constructs/data.ts';
import { QueryApi } from './constructs/query-api.ts';
import { Uploads } from './constructs/uploads.ts';
import type { ActionPlansSettings } from './settings.ts';

export interface ActionPlansStackProps extends StackProps {
  settings: ActionPlansSettings;
}

/**
 * The production path of the action-plan service, one construct per capability. The constructs are
 * public so that capabilities added later (approval, query API) are wired to the same table and bucket.
 */
export class ActionPlansStack extends Stack {
  readonly data: Data;
  readonly uploads: Uploads;
  readonly queryApi: QueryApi;
  readonly approval: Approval;

  constructor(scope: Construct, id: string, { settings, ...props }: ActionPlansStackProps) {
    super(scope, id, {
      description: 'Inspection action plans: uploads, Textract ingestion and the plan store',
      ...props,
      tags: { Application: 'inspection-action-plans', Stage: settings.stage, ...props.tags },
    });

    this.data = new Data(this, 'Data');
    this.uploads = new Uploads(this, 'Uploads', {
      data: this.data,
      allowedOrigins: settings.uploadAllowedOrigins,
      stallAfterMinutes: settings.stallAfterMinutes,
      noncurrentVersionsExpireAfter: Duration.days(settings.noncurrentUploadVersionsExpireAfterDays),
      logRetention: settings.logRetention,
    });
    this.queryApi = new QueryApi(this, 'QueryApi', { data: this.data, uploadBucket: this.uploads.bucket, logRetention: settings.logRetention, throttle: settings.apiThrottle });
    this.approval = new Approval(this, 'Approval', { data: this.data, api: this.queryApi.httpApi, settings: settings.approval, logRetention: settings.logRetention });
    // The public link pages get a throttle of their own, apart from the API's.
    this.queryApi.throttleApart(APPROVAL_LINK_ROUTES, settings.approvalLinkThrottle);
    const apiFunction = (routeId: string) => {
      const fn = this.queryApi.functions[routeId];
      if (!fn) throw new Error(`The query API has no route ${routeId}`);
      return fn;
    };
    // Storing a revision restarts an approval sent back with changes requested; staff start one through the API.
    this.approval.allowStartingFrom([
      this.uploads.uploadReceived,
      this.uploads.analysisCompleted,
      this.uploads.sweepStalledAnalyses,
      apiFunction('SendPlanForApproval'),
    ]);
    // Both read the chain an establishment uses, the deployment's default until one is set: the
    // approvers route shows it, and the audit route ties approvers to the establishment by it.
    for (const routeId of ['GetApprovers', 'ListPlanAudit']) {
      apiFunction(routeId).function.addEnvironment('DEFAULT_APPROVAL_CHAIN', this.approval.environment.DEFAULT_APPROVAL_CHAIN ?? '');
    }
  }
}
