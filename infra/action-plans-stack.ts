import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { Data } from './constructs/data.ts';
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
  }
}
