import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import { type CfnStage, HttpApi, HttpMethod, HttpRoute, HttpStage, LogGroupLogDestination, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type ApiRoute, API_ROUTES } from '../../functions/api/routes.ts';
import { ROLES } from '../../shared/domain/access.ts';
import { UPLOAD_PREFIXES } from '../../shared/domain/uploads.ts';
import type { Data } from './data.ts';
import { HandlerFunction } from './handler-function.ts';

export interface QueryApiProps {
  data: Data;
  uploadBucket: s3.IBucket;
  logRetention: RetentionDays;
  /** Steady requests per second and burst allowed on the stage. */
  throttle: { rateLimit: number; burstLimit: number };
}

/**
 * The query API: an API Gateway HTTP API whose routes are the route table of functions/api/routes.ts
 * (one Lambda each, least privilege from the table's `access`), a Cognito user pool whose ID tokens
 * the JWT authorizer checks on every route but the public ones, access logs and throttling.
 */
export class QueryApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly userPool: cognito.UserPool;
  readonly userPoolClient: cognito.UserPoolClient;
  readonly authorizer: HttpJwtAuthorizer;
  readonly accessLogs: LogGroup;
  /** Each route's function, by its id in the route table. */
  readonly functions: Record<string, HandlerFunction> = {};

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.userPool = new cognito.UserPool(this, 'Users', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      customAttributes: {
        role: new cognito.StringAttribute({ minLen: 1, maxLen: 20, mutable: true }),
        establishment: new cognito.StringAttribute({ minLen: 1, maxLen: 80, mutable: true }),
      },
      deletionProtection: true,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason:
        'MFA is optional (TOTP offered) while staff across establishments are onboarded; threat protection (PLUS plan, full function) asks for it on risky sign-ins.',
    });
    for (const role of ROLES) {
      new cognito.CfnUserPoolGroup(this, `Group-${role}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: role,
        description: `Query API role ${role}`,
      });
    }
    // Users may not write their own role, establishment or email address: only admins set them
    // (AdminUpdateUserAttributes). The address is an identity here (an approver is tied to an
    // establishment by their address in its chain, and audits name people by it), so a user who
    // could set it could take another approver's place.
    const standard = new cognito.ClientAttributes().withStandardAttributes({ email: true, emailVerified: true, fullname: true });
    const writable = new cognito.ClientAttributes().withStandardAttributes({ fullname: true });
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      readAttributes: standard.withCustomAttributes('role', 'establishment'),
      writeAttributes: writable,
    });

    this.authorizer = new HttpJwtAuthorizer(
      'CognitoJwt',
      `https://cognito-idp.${stack.region}.${stack.urlSuffix}/${this.userPool.userPoolId}`,
      { jwtAudience: [this.userPoolClient.userPoolClientId] },
    );

    this.httpApi = new HttpApi(this, 'Api', {
      description: 'Inspection action plans: query API',
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(this.accessLogs) },
    });

    for (const route of API_ROUTES) this.addRoute(route, props);

    new CfnOutput(this, 'ApiUrl', { value: this.stage.url });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
  }

  /**
   * Gives these routes (added to the API already, here or by another construct) their own throttle
   * on the stage: route-level settings (the stage's RouteSettings by route key), which the HTTP API
   * applies to those routes instead of the stage's default, so their traffic and the rest of the
   * API's never use up each other's allowance. HttpStage offers only the default throttle, so this
   * sets the stage resource's RouteSettings; the stage is created after the routes it names.
   */
  throttleApart(routes: readonly Pick<ApiRoute, 'method' | 'path'>[], throttle: ThrottleSettings): void {
    const stage = this.stage.node.defaultChild as CfnStage;
    const settings = { ...(stage.routeSettings as Record<string, unknown> | undefined) };
    const added = this.httpApi.node.children.filter((child): child is HttpRoute => child instanceof HttpRoute);
    for (const { method, path } of routes) {
      const routeKey = `${method} ${path}`;
      const route = added.find((candidate) => candidate.path === path && routeKeyOf(candidate) === routeKey);
      if (!route) throw new Error(`The HTTP API has no route ${routeKey} to throttle`);
      this.stage.node.addDependency(route);
      settings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
    }
    stage.routeSettings = settings;
  }

  private addRoute(route: ApiRoute, props: QueryApiProps): void {
    const environment: Record<string, string> = { TABLE_NAME: props.data.table.tableName };
    if (route.access.signsUploads) environment.UPLOAD_BUCKET = props.uploadBucket.bucketName;
    const handler = new HandlerFunction(this, route.id, {
      entry: route.entry,
      description: `${route.method} ${route.path}: ${route.description}`,
      environment,
      timeout: Duration.seconds(10),
      memorySize: 1024,
      logRetention: props.logRetention,
    });
    this.functions[route.id] = handler;
    if (route.access.table?.length) props.data.grantItemActions(handler.role, route.access.table);
    for (const index of route.access.indexes ?? []) props.data.grantIndexQuery(handler.role, index);
    if (route.access.signsUploads) {
      const prefixes = Object.values(UPLOAD_PREFIXES);
      handler.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['s3:PutObject'],
          resources: prefixes.map((prefix) => props.uploadBucket.arnForObjects(`${prefix}*`)),
        }),
      );
      const bucketLogicalId = Stack.of(this).getLogicalId(props.uploadBucket.node.defaultChild as s3.CfnBucket);
      for (const prefix of prefixes) {
        Validations.of(handler.role.node.findChild('DefaultPolicy')).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucketLogicalId}.Arn>/${prefix}*]`,
          reason: 'A presigned upload names a fresh key below an upload prefix; the prefix is the narrowest scope that names them.',
        });
      }
    }
    const routes = this.httpApi.addRoutes({
      path: route.path,
      methods: [HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.id}Integration`, handler.function),
      ...(route.auth === 'required' ? { authorizer: this.authorizer } : {}),
    });
    if (route.auth === 'none') {
      for (const publicRoute of routes) {
        Validations.of(publicRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is public by design (auth: 'none' in functions/api/routes.ts): ${route.description}.`,
        });
      }
    }
  }
}

/** The route key (`GET /plans`) of a route construct, as its CloudFormation resource holds it. */
function routeKeyOf(route: HttpRoute): string {
  return (route.node.defaultChild as { routeKey?: string }).routeKey ?? '';
}
