/**
 * `npx aws-cdk deploy -c logs=s3://… -c reports=s3://…` (cdk.json runs this file): the job's stack, with
 * settings from CDK context (-c name=value).
 */
import { App } from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { AlbDoctorJobStack } from './stack.js';

const app = new App();
const context = (name: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(name);
  return value === undefined || value === '' ? undefined : String(value);
};
const number = (name: string): number | undefined => (context(name) === undefined ? undefined : Number(context(name)));
const logs = context('logs');
const reports = context('reports');
if (logs === undefined || reports === undefined) {
  throw new Error('give -c logs=s3://<log bucket>[/prefix] and -c reports=s3://<reports bucket>[/prefix].');
}

new AlbDoctorJobStack(app, context('stackName') ?? 'AlbDoctorJob', {
  logs,
  reports,
  codePath: fileURLToPath(new URL('../dist/lambda', import.meta.url)),
  ...(context('lb') !== undefined && { lbName: context('lb') }),
  ...(context('email') !== undefined && { alertEmail: context('email') }),
  ...(number('albIdleTimeout') !== undefined && { albIdleTimeoutSeconds: number('albIdleTimeout') }),
  ...(number('windowMinutes') !== undefined && { windowMinutes: number('windowMinutes') }),
  ...(number('historyHours') !== undefined && { historyHours: number('historyHours') }),
});
