/**
 * Alerts: a target group's verdict changing between two consecutive rolling reports, and only that (one
 * message per change, not per run). A group counts as racing when its verdict is `races` with a `medium`
 * or `high` keep-alive confidence: a `low` estimate rests on two or three races, too few to wake someone.
 * It counts as quiet when its verdict is `stopped` or `none`. Anything else (`cannot-tell`, a low-confidence
 * race) is unsure and changes nothing, so a group drifting between racing and unsure does not page twice.
 */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { serverById } from '../analyze/servers.js';
import { formatCount } from '../report/render/format.js';
import { countOf } from '../report/render/labels.js';
import type { ReportLike } from './analysis.js';

export type AlertChange = 'started-racing' | 'stopped-racing';

export interface Alert {
  targetGroup: string;
  targetGroupName: string;
  change: AlertChange;
  /** One paragraph for a person: what changed, T̂, the server it looks like and the fix. */
  text: string;
}

type Standing = 'racing' | 'quiet' | 'unsure';

function standingOf(report: ReportLike | null, arn: string): Standing {
  const verdict = report?.verdict?.targetGroups.find((g) => g.arn === arn);
  const group = report?.targetGroups.find((g) => g.arn === arn);
  if (verdict === undefined) return 'unsure';
  if (verdict.status === 'races') {
    const confidence = group?.keepAlive.confidence;
    return confidence === 'medium' || confidence === 'high' ? 'racing' : 'unsure';
  }
  return verdict.status === 'stopped' || verdict.status === 'none' ? 'quiet' : 'unsure';
}

/**
 * The changes from `previous` (null: no earlier report, so every group was unsure) to `current`, in the
 * order of current's target groups.
 */
export function verdictChanges(previous: ReportLike | null, current: ReportLike, historyHours: number): Alert[] {
  const alerts: Alert[] = [];
  for (const verdict of current.verdict?.targetGroups ?? []) {
    const before = standingOf(previous, verdict.arn);
    const now = standingOf(current, verdict.arn);
    const group = current.targetGroups.find((g) => g.arn === verdict.arn);
    const name = group?.name ?? verdict.arn;
    if (now === 'racing' && before !== 'racing') {
      alerts.push({ targetGroup: verdict.arn, targetGroupName: name, change: 'started-racing', text: startedText(current, verdict.arn, historyHours) });
    } else if (before === 'racing' && now === 'quiet') {
      const reason = verdict.reasons[0]?.text ?? 'no keep-alive race in the window';
      alerts.push({ targetGroup: verdict.arn, targetGroupName: name, change: 'stopped-racing', text: `${name}: keep-alive races stopped (${reason}).` });
    }
  }
  return alerts;
}

function startedText(report: ReportLike, arn: string, historyHours: number): string {
  const group = report.targetGroups.find((g) => g.arn === arn)!;
  const races = group.classes.keepalive_race ?? 0;
  const seconds = group.keepAlive.estimatedSeconds;
  const server = group.suspectedServers.map((id) => serverById(id)?.name ?? id)[0];
  const advice = report.recommendations.find((r) => r.targetGroup === arn);
  const parts = [
    `${group.name}: keep-alive races with the load balancer, ${formatCount(races)} of ${countOf(group.requests, 'request')} in the last ${historyHours} h.`,
    seconds === null
      ? ''
      : `The targets close idle connections after about ${seconds.toFixed(1)} s (T̂, confidence ${group.keepAlive.confidence})` +
        (server === undefined ? '.' : `, as ${server} does by default.`),
  ];
  if (advice !== undefined) {
    const setting = advice.servers[0];
    parts.push(
      `Fix: ${advice.action}` +
        (setting === undefined ? '' : ` (${setting.setting}: ${setting.snippet})`) +
        (advice.targetKeepAliveSeconds === null ? '' : `; keep-alive ≥ ${advice.targetKeepAliveSeconds} s against the ALB's ${advice.albIdleTimeoutSeconds} s idle timeout.`),
    );
  }
  return parts.filter((p) => p !== '').join(' ');
}

/** SNS subjects are at most 100 ASCII characters (SNS Publish API). */
export function alertSubject(alerts: readonly Alert[], lbLabel: string): string {
  const first = alerts[0]!;
  const what = first.change === 'started-racing' ? 'keep-alive races started' : 'keep-alive races stopped';
  const more = alerts.length > 1 ? ` (+${alerts.length - 1} more)` : '';
  const subject = `alb-doctor ${lbLabel}: ${first.targetGroupName} ${what}${more}`;
  // eslint-disable-next-line no-control-regex
  return subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}

export function alertMessage(alerts: readonly Alert[], windowEndIso: string, reportUri: string): string {
  return [...alerts.map((a) => a.text), '', `Rolling report up to ${windowEndIso}: ${reportUri}`].join('\n');
}

/** One SNS message for all of a run's changes; returns its MessageId. */
export async function publishAlerts(sns: SNSClient, topicArn: string, subject: string, message: string): Promise<string> {
  const response = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: message }));
  return response.MessageId ?? '';
}
