import { App } from 'aws-cdk-lib';
import { type CfnResource } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, APPROVAL_LINK_ROUTES } from '../../functions/api/routes.ts';
import type { ActionPlansStack } from '../../infra/action-plans-stack.ts';
import { readSettings } from '../../infra/settings.ts';
import { cdkContext, statementsOfRole, synthesiseStack } from '../helpers/cdk-template.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
let app: App;
let stack: ActionPlansStack;
let template: Template;

// Without bundling the functions: nothing here reads their code.
beforeAll(() => {
  ({ app, stack, template } = synthesiseStack());
}, 180_000);

const logicalId = (construct: IConstruct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnResource);

const statementsOf = (role: IConstruct): Json[] => statementsOfRole(template, { Ref: logicalId(role) }) as unknown as Json[];

const apiRef = () => ({ Ref: logicalId(stack.queryApi.httpApi) });

describe('query API routes', () => {
  it('has exactly one API Gateway route per entry of the route table', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: apiRef() } }));
    // Besides the table's routes, the approval construct adds its public link pages to the same API.
    const tableRoutes = routes.map((route) => route.Properties.RouteKey as string).filter((key) => !key.endsWith(' /approvals/{token}'));
    expect(tableRoutes.sort()).toEqual(API_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('puts the Cognito JWT authorizer on every route but the public ones', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: apiRef() } }));
    for (const route of API_ROUTES) {
      const found = routes.find((candidate) => candidate.Properties.RouteKey === `${route.method} ${route.path}`)!;
      if (route.auth === 'required') expect(found.Properties).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: expect.anything() });
      else expect(found.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: apiRef(),
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: logicalId(stack.queryApi.userPoolClient) }],
        Issuer: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
      },
    });
  });

  it('logs access and throttles on the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: apiRef(),
      StageName: '$default',
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalId(stack.queryApi.accessLogs), 'Arn'] } },
      DefaultRouteSettings: {
        ThrottlingRateLimit: cdkContext['actionPlans:apiThrottleRatePerSecond'],
        ThrottlingBurstLimit: cdkContext['actionPlans:apiThrottleBurst'],
      },
    });
  });
});

describe('the approval link pages’ own throttle', () => {
  const linkRouteKeys = APPROVAL_LINK_ROUTES.map((route) => `${route.method} ${route.path}`);

  it('throttles GET and POST /approvals/{token} by their own route settings, apart from the API’s default', () => {
    const stages = template.findResources('AWS::ApiGatewayV2::Stage', { Properties: { ApiId: apiRef() } });
    expect(Object.keys(stages)).toHaveLength(1);
    const [stageId, stage] = Object.entries(stages)[0]! as [string, { Properties: Json; DependsOn?: string[] }];
    expect(linkRouteKeys.sort()).toEqual(['GET /approvals/{token}', 'POST /approvals/{token}']);
    expect(stage.Properties.RouteSettings).toEqual(
      Object.fromEntries(
        linkRouteKeys.map((key) => [
          key,
          {
            ThrottlingRateLimit: cdkContext['actionPlans:approvalLinkThrottleRatePerSecond'],
            ThrottlingBurstLimit: cdkContext['actionPlans:approvalLinkThrottleBurst'],
          },
        ]),
      ),
    );
    expect(cdkContext['actionPlans:approvalLinkThrottleRatePerSecond']).not.toBe(cdkContext['actionPlans:apiThrottleRatePerSecond']);
    expect(stage.Properties.DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: cdkContext['actionPlans:apiThrottleRatePerSecond'],
      ThrottlingBurstLimit: cdkContext['actionPlans:apiThrottleBurst'],
    });
    // CloudFormation refuses route settings for a route that does not exist yet: the stage waits for the link routes.
    const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: apiRef() } });
    const linkRouteIds = Object.entries(routes).filter(([, route]) => linkRouteKeys.includes(route.Properties.RouteKey as string)).map(([id]) => id);
    expect(linkRouteIds).toHaveLength(2);
    for (const id of linkRouteIds) expect(stage.DependsOn ?? [], stageId).toContain(id);
  });

  it('takes its rate and burst from CDK context, validated like the other settings', () => {
    const settingsFrom = (overrides: Record<string, unknown>) => readSettings(new App({ context: { ...cdkContext, ...overrides } }).node);
    expect(settingsFrom({ 'actionPlans:approvalLinkThrottleRatePerSecond': '3', 'actionPlans:approvalLinkThrottleBurst': 7 }).approvalLinkThrottle).toEqual({ rateLimit: 3, burstLimit: 7 });
    expect(() => settingsFrom({ 'actionPlans:approvalLinkThrottleRatePerSecond': 0 })).toThrow(/approvalLinkThrottleRatePerSecond must be a whole number above 0/);
    expect(() => settingsFrom({ 'actionPlans:approvalLinkThrottleBurst': 2.5 })).toThrow(/approvalLinkThrottleBurst must be a whole number above 0/);
    expect(() => settingsFrom({ 'actionPlans:approvalLinkThrottleBurst': undefined })).toThrow(/approvalLinkThrottleBurst is not set/);
  });

  it('refuses to throttle a route the API does not have', () => {
    expect(() => stack.queryApi.throttleApart([{ method: 'GET', path: '/nowhere' }], { rateLimit: 1, burstLimit: 1 })).toThrow(/no route GET \/nowhere/);
  });
});

describe('Cognito user pool', () => {
  it('has a strong password policy, optional TOTP MFA, threat protection, no self sign-up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: { PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith([Match.objectLike({ Name: 'role', Mutable: true }), Match.objectLike({ Name: 'establishment', Mutable: true })]),
    });
  });

  it('has a group per role, and a client that cannot write role, establishment or email address', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['admin', 'approver', 'staff', 'viewer']);
    const client = template.toJSON().Resources[logicalId(stack.queryApi.userPoolClient)].Properties as Json;
    expect(client.GenerateSecret).toBe(false);
    expect(client.WriteAttributes).not.toContain('custom:role');
    expect(client.WriteAttributes).not.toContain('custom:establishment');
    // An approver's address ties them to an establishment's chain: a user who could change theirs
    // could read another establishment's approvers and audit.
    expect(client.WriteAttributes).toEqual(['name']);
    expect(client.ReadAttributes).toEqual(expect.arrayContaining(['email', 'email_verified']));
    expect(client.ReadAttributes).toEqual(expect.arrayContaining(['custom:role', 'custom:establishment']));
  });
});

describe('least privilege per route', () => {
  const tableArn = () => ({ 'Fn::GetAtt': [logicalId(stack.data.table), 'Arn'] });

  it('grants each function only the table actions and indexes its route lists', () => {
    for (const route of API_ROUTES) {
      const statements = statementsOf(stack.queryApi.functions[route.id]!.role);
      const dynamo = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
      const onTable = dynamo.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(tableArn())).flatMap((s) => [s.Action].flat());
      expect(onTable.sort(), route.id).toEqual((route.access.table ?? []).map((a) => `dynamodb:${a}`).sort());
      const indexes = dynamo.flatMap((s) => [s.Resource].flat()).filter((r) => JSON.stringify(r).includes('/index/'));
      expect(indexes.length, route.id).toBe(route.access.indexes?.length ?? 0);
      expect(dynamo.every((s) => [s.Action].flat().every((a: string) => !a.includes('Scan') && a !== 'dynamodb:*'))).toBe(true);
    }
  });

  it('lets only the upload route put objects, and only below the upload prefixes', () => {
    for (const route of API_ROUTES) {
      const s3 = statementsOf(stack.queryApi.functions[route.id]!.role).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
      if (!route.access.signsUploads) {
        expect(s3, route.id).toEqual([]);
        continue;
      }
      expect(s3.flatMap((s) => [s.Action].flat())).toEqual(['s3:PutObject']);
      expect(JSON.stringify(s3[0]!.Resource)).toContain('/uploads/plans/*');
      expect(JSON.stringify(s3[0]!.Resource)).toContain('/uploads/reports/*');
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the query API', () => {
    const report = new AwsSolutionsChecks(undefined, { verbose: false }).validateScope(app);
    const findings = report.violations
      .map((violation) => ({
        rule: violation.ruleName,
        resources: violation.violatingResources.map((r) => r.constructPath).filter((path) => path?.includes('/QueryApi/')),
      }))
      .filter((finding) => finding.resources.length > 0);
    expect(findings).toEqual([]);
  });
});
