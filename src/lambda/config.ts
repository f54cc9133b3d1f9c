/**
 * The scheduled job's settings, from environment variables, parsed once at cold start. Every bad value is
 * reported, each in one sentence naming the variable and the fix, so a deploy is corrected in one go.
 */
import { endpointOf } from '../sources/s3Client.js';
import { lbNameOf } from '../sources/s3Keys.js';

export interface S3Place {
  bucket: string;
  /** '' or a folder ending in '/'. */
  prefix: string;
  /** As given, e.g. `s3://my-alb-logs/prod`. */
  uri: string;
}

export interface JobConfig {
  /** Where the load balancer writes its access logs. */
  logs: S3Place;
  /** Where states, reports, latest.json and alert records go. */
  reports: S3Place;
  windowMinutes: number;
  delayMinutes: number;
  historyHours: number;
  lbName: string | undefined;
  albIdleTimeoutSeconds: number | undefined;
  snsTopicArn: string | undefined;
  /** AWS_REGION; the SDK reads it too, kept here for the log line and the client. */
  region: string | undefined;
  /** AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL): an S3-compatible endpoint, talked to path-style. */
  endpointUrl: string | undefined;
}

export type ConfigProblemCode = 'MISSING' | 'NOT_S3_URI' | 'NOT_WHOLE_NUMBER' | 'OUT_OF_RANGE' | 'NOT_ALIGNED' | 'NOT_LB_NAME' | 'NOT_SNS_ARN' | 'NOT_ENDPOINT_URL';

export interface ConfigProblem {
  variable: string;
  code: ConfigProblemCode;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(`alb-doctor job configuration: ${problems.map((p) => p.message).join(' ')}`);
    this.name = 'ConfigError';
  }
}

const MINUTES_PER_DAY = 1440;
/** ALB writes one object per node per 5 minutes, so a window is made of whole intervals. */
const ALB_INTERVAL_MINUTES = 5;
/** 30 days: a state per hour is read on every run, so the history bounds a run's reads. */
const MAX_HISTORY_HOURS = 720;
// Bucket names as the S3 source accepts them (s3Keys.ts), with an optional prefix.
const S3_URI = /^s3:\/\/([A-Za-z0-9][A-Za-z0-9._-]{2,254})(?:\/(.*))?$/;
// arn:<partition>:sns:<region>:<12-digit account>:<topic name, .fifo allowed>
const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

type Env = Readonly<Record<string, string | undefined>>;

export function configFromEnv(env: Env): JobConfig {
  const problems: ConfigProblem[] = [];
  const problem = (variable: string, code: ConfigProblemCode, message: string): undefined => {
    problems.push({ variable, code, message });
    return undefined;
  };
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };

  const place = (name: string, purpose: string): S3Place | undefined => {
    const value = text(name);
    if (value === undefined) return problem(name, 'MISSING', `${name} is not set; set it to the s3://bucket[/prefix] ${purpose}.`);
    const m = S3_URI.exec(value);
    if (!m) return problem(name, 'NOT_S3_URI', `${name} '${value}' is not s3://bucket[/prefix]; write it as e.g. s3://my-bucket/prod.`);
    const rest = m[2] ?? '';
    return { bucket: m[1]!, prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/`, uri: value };
  };

  const minutes = (name: string, fallback: number, min: number, max: number, unit: string): number | undefined => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (!/^\d+$/.test(value)) return problem(name, 'NOT_WHOLE_NUMBER', `${name} '${value}' is not a whole number of ${unit}; write e.g. ${fallback}.`);
    const n = Number(value);
    if (n < min || n > max) return problem(name, 'OUT_OF_RANGE', `${name} ${n} is outside ${min}–${max} ${unit}; the default is ${fallback}.`);
    return n;
  };

  const logs = place('ALB_DOCTOR_LOGS', "where the load balancer writes its access logs (its access_logs.s3.bucket and prefix)");
  const reports = place('ALB_DOCTOR_REPORTS', 'where reports and state are kept');
  let windowMinutes = minutes('ALB_DOCTOR_WINDOW_MINUTES', 60, ALB_INTERVAL_MINUTES, MINUTES_PER_DAY, 'minutes');
  // Windows tile each UTC day exactly (so keys named by the window end line up day after day) and hold
  // whole 5-minute log intervals.
  if (windowMinutes !== undefined && (MINUTES_PER_DAY % windowMinutes !== 0 || windowMinutes % ALB_INTERVAL_MINUTES !== 0)) {
    windowMinutes = problem(
      'ALB_DOCTOR_WINDOW_MINUTES',
      'NOT_ALIGNED',
      `ALB_DOCTOR_WINDOW_MINUTES ${windowMinutes} does not divide a day into 5-minute multiples; use 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720 or 1440.`,
    );
  }
  const delayMinutes = minutes('ALB_DOCTOR_DELAY_MINUTES', 15, 0, MINUTES_PER_DAY, 'minutes');
  let historyHours = minutes('ALB_DOCTOR_HISTORY_HOURS', 24, 1, MAX_HISTORY_HOURS, 'hours');
  if (historyHours !== undefined && windowMinutes !== undefined && (historyHours * 60) % windowMinutes !== 0) {
    historyHours = problem(
      'ALB_DOCTOR_HISTORY_HOURS',
      'NOT_ALIGNED',
      `ALB_DOCTOR_HISTORY_HOURS ${historyHours} is not a whole number of ${windowMinutes}-minute windows; use a multiple of ${windowMinutes / 60} hours.`,
    );
  }

  const lbText = text('ALB_DOCTOR_LB');
  let lbName: string | undefined;
  if (lbText !== undefined) {
    lbName = lbNameOf(lbText) ?? undefined;
    if (lbName === undefined) problem('ALB_DOCTOR_LB', 'NOT_LB_NAME', `ALB_DOCTOR_LB '${lbText}' is not a load balancer; give its name, app/<name>/<id> or its ARN.`);
  }

  const idleText = text('ALB_DOCTOR_ALB_IDLE_TIMEOUT');
  let albIdleTimeoutSeconds: number | undefined;
  if (idleText !== undefined) {
    // idle_timeout.timeout_seconds takes whole seconds from 1 to 4000 (as the CLI's --alb-idle-timeout).
    const n = /^\d+$/.test(idleText) ? Number(idleText) : NaN;
    if (Number.isNaN(n)) problem('ALB_DOCTOR_ALB_IDLE_TIMEOUT', 'NOT_WHOLE_NUMBER', `ALB_DOCTOR_ALB_IDLE_TIMEOUT '${idleText}' is not a whole number of seconds; use the load balancer's idle_timeout.timeout_seconds (60 unless changed).`);
    else if (n < 1 || n > 4000) problem('ALB_DOCTOR_ALB_IDLE_TIMEOUT', 'OUT_OF_RANGE', `ALB_DOCTOR_ALB_IDLE_TIMEOUT ${n} is outside 1–4000 seconds; use the load balancer's idle_timeout.timeout_seconds.`);
    else albIdleTimeoutSeconds = n;
  }

  const snsTopicArn = text('ALB_DOCTOR_SNS_TOPIC_ARN');
  if (snsTopicArn !== undefined && !SNS_ARN.test(snsTopicArn)) {
    problem('ALB_DOCTOR_SNS_TOPIC_ARN', 'NOT_SNS_ARN', `ALB_DOCTOR_SNS_TOPIC_ARN '${snsTopicArn}' is not an SNS topic ARN; write arn:aws:sns:<region>:<account>:<topic>, or unset it for no alerts.`);
  }

  let endpointUrl: string | undefined;
  try {
    endpointUrl = endpointOf({ env });
  } catch {
    const variable = text('AWS_ENDPOINT_URL_S3') !== undefined ? 'AWS_ENDPOINT_URL_S3' : 'AWS_ENDPOINT_URL';
    problem(variable, 'NOT_ENDPOINT_URL', `${variable} '${text(variable)}' is not an endpoint URL; write http(s)://host[:port], or unset it to use AWS.`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    logs: logs!,
    reports: reports!,
    windowMinutes: windowMinutes!,
    delayMinutes: delayMinutes!,
    historyHours: historyHours!,
    lbName,
    albIdleTimeoutSeconds,
    snsTopicArn,
    region: text('AWS_REGION'),
    endpointUrl,
  };
}
