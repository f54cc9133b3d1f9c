import { describe, expect, it } from 'vitest';
import { ConfigError, type ConfigProblemCode, configFromEnv } from '../../src/lambda/config.js';

const BASE = { ALB_DOCTOR_LOGS: 's3://my-alb-logs/prod', ALB_DOCTOR_REPORTS: 's3://my-reports' };

function problems(env: Record<string, string>): { variable: string; code: ConfigProblemCode }[] {
  try {
    configFromEnv(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map(({ variable, code }) => ({ variable, code }));
  }
}

describe('configFromEnv: accepted', () => {
  it('fills the defaults and folds the prefixes into folders', () => {
    expect(configFromEnv(BASE)).toEqual({
      logs: { bucket: 'my-alb-logs', prefix: 'prod/', uri: 's3://my-alb-logs/prod' },
      reports: { bucket: 'my-reports', prefix: '', uri: 's3://my-reports' },
      windowMinutes: 60,
      delayMinutes: 15,
      historyHours: 24,
      lbName: undefined,
      albIdleTimeoutSeconds: undefined,
      snsTopicArn: undefined,
      region: undefined,
      endpointUrl: undefined,
    });
  });

  it.each([
    ['a 15-minute window and a 6-hour history', { ALB_DOCTOR_WINDOW_MINUTES: '15', ALB_DOCTOR_HISTORY_HOURS: '6' }, { windowMinutes: 15, historyHours: 6 }],
    ['a load balancer ARN, kept as its name', { ALB_DOCTOR_LB: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/checkout/50dc6c495c0c9188' }, { lbName: 'checkout' }],
    ['an idle timeout', { ALB_DOCTOR_ALB_IDLE_TIMEOUT: '120' }, { albIdleTimeoutSeconds: 120 }],
    ['a topic', { ALB_DOCTOR_SNS_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alb-alerts' }, { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alb-alerts' }],
    ['an S3 endpoint and region', { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:9000', AWS_REGION: 'eu-west-1' }, { endpointUrl: 'http://127.0.0.1:9000', region: 'eu-west-1' }],
    ['a zero delay', { ALB_DOCTOR_DELAY_MINUTES: '0' }, { delayMinutes: 0 }],
    ['a prefix given as a folder', { ALB_DOCTOR_REPORTS: 's3://my-reports/alb/' }, { reports: { bucket: 'my-reports', prefix: 'alb/', uri: 's3://my-reports/alb/' } }],
  ])('%s', (_name, extra, expected) => {
    expect(configFromEnv({ ...BASE, ...extra })).toMatchObject(expected);
  });
});

describe('configFromEnv: refused, one problem per bad value', () => {
  it.each<[string, Record<string, string>, { variable: string; code: ConfigProblemCode }[]]>([
    ['nothing set', {}, [{ variable: 'ALB_DOCTOR_LOGS', code: 'MISSING' }, { variable: 'ALB_DOCTOR_REPORTS', code: 'MISSING' }]],
    ['an empty value', { ...BASE, ALB_DOCTOR_LOGS: '  ' }, [{ variable: 'ALB_DOCTOR_LOGS', code: 'MISSING' }]],
    ['logs not in S3', { ...BASE, ALB_DOCTOR_LOGS: '/var/log/alb' }, [{ variable: 'ALB_DOCTOR_LOGS', code: 'NOT_S3_URI' }]],
    ['reports with a bad bucket', { ...BASE, ALB_DOCTOR_REPORTS: 's3://x' }, [{ variable: 'ALB_DOCTOR_REPORTS', code: 'NOT_S3_URI' }]],
    ['a window in words', { ...BASE, ALB_DOCTOR_WINDOW_MINUTES: 'hourly' }, [{ variable: 'ALB_DOCTOR_WINDOW_MINUTES', code: 'NOT_WHOLE_NUMBER' }]],
    ['a fractional window', { ...BASE, ALB_DOCTOR_WINDOW_MINUTES: '7.5' }, [{ variable: 'ALB_DOCTOR_WINDOW_MINUTES', code: 'NOT_WHOLE_NUMBER' }]],
    ['a window shorter than a log interval', { ...BASE, ALB_DOCTOR_WINDOW_MINUTES: '1' }, [{ variable: 'ALB_DOCTOR_WINDOW_MINUTES', code: 'OUT_OF_RANGE' }]],
    ['a window that does not tile a day', { ...BASE, ALB_DOCTOR_WINDOW_MINUTES: '25' }, [{ variable: 'ALB_DOCTOR_WINDOW_MINUTES', code: 'NOT_ALIGNED' }]],
    ['a window longer than a day', { ...BASE, ALB_DOCTOR_WINDOW_MINUTES: '2880' }, [{ variable: 'ALB_DOCTOR_WINDOW_MINUTES', code: 'OUT_OF_RANGE' }]],
    ['a negative delay', { ...BASE, ALB_DOCTOR_DELAY_MINUTES: '-5' }, [{ variable: 'ALB_DOCTOR_DELAY_MINUTES', code: 'NOT_WHOLE_NUMBER' }]],
    ['no history', { ...BASE, ALB_DOCTOR_HISTORY_HOURS: '0' }, [{ variable: 'ALB_DOCTOR_HISTORY_HOURS', code: 'OUT_OF_RANGE' }]],
    ['a history of part of a window', { ...BASE, ALB_DOCTOR_WINDOW_MINUTES: '720', ALB_DOCTOR_HISTORY_HOURS: '18' }, [{ variable: 'ALB_DOCTOR_HISTORY_HOURS', code: 'NOT_ALIGNED' }]],
    ['a load balancer with a bad name', { ...BASE, ALB_DOCTOR_LB: 'my_alb!' }, [{ variable: 'ALB_DOCTOR_LB', code: 'NOT_LB_NAME' }]],
    ['an idle timeout in words', { ...BASE, ALB_DOCTOR_ALB_IDLE_TIMEOUT: '60s' }, [{ variable: 'ALB_DOCTOR_ALB_IDLE_TIMEOUT', code: 'NOT_WHOLE_NUMBER' }]],
    ['an idle timeout ALB does not allow', { ...BASE, ALB_DOCTOR_ALB_IDLE_TIMEOUT: '5000' }, [{ variable: 'ALB_DOCTOR_ALB_IDLE_TIMEOUT', code: 'OUT_OF_RANGE' }]],
    ['a topic name instead of its ARN', { ...BASE, ALB_DOCTOR_SNS_TOPIC_ARN: 'alb-alerts' }, [{ variable: 'ALB_DOCTOR_SNS_TOPIC_ARN', code: 'NOT_SNS_ARN' }]],
    ['a queue ARN', { ...BASE, ALB_DOCTOR_SNS_TOPIC_ARN: 'arn:aws:sqs:eu-west-1:123456789012:q' }, [{ variable: 'ALB_DOCTOR_SNS_TOPIC_ARN', code: 'NOT_SNS_ARN' }]],
    ['an endpoint without a scheme', { ...BASE, AWS_ENDPOINT_URL_S3: '127.0.0.1:9000' }, [{ variable: 'AWS_ENDPOINT_URL_S3', code: 'NOT_ENDPOINT_URL' }]],
    [
      'several bad values at once',
      { ...BASE, ALB_DOCTOR_DELAY_MINUTES: 'soon', ALB_DOCTOR_LB: '#', ALB_DOCTOR_ALB_IDLE_TIMEOUT: '0' },
      [
        { variable: 'ALB_DOCTOR_DELAY_MINUTES', code: 'NOT_WHOLE_NUMBER' },
        { variable: 'ALB_DOCTOR_LB', code: 'NOT_LB_NAME' },
        { variable: 'ALB_DOCTOR_ALB_IDLE_TIMEOUT', code: 'OUT_OF_RANGE' },
      ],
    ],
  ])('%s', (_name, env, expected) => {
    expect(problems(env)).toEqual(expected);
  });

  it('names each variable and its value in the one error message', () => {
    expect(() => configFromEnv({ ...BASE, ALB_DOCTOR_WINDOW_MINUTES: '25' })).toThrow(/ALB_DOCTOR_WINDOW_MINUTES 25/);
  });
});
