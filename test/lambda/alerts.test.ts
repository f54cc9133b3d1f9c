import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { alertMessage, alertSubject, publishAlerts, verdictChanges } from '../../src/lambda/alerts.js';
import { API_ARN, type GroupSpec, reportWith } from './reports.js';

const racing: GroupSpec = { status: 'races', confidence: 'high', races: 14 };

describe('verdictChanges', () => {
  it.each<[string, GroupSpec | null, GroupSpec, string[]]>([
    ['quiet → racing (high): started', { status: 'none', confidence: 'none' }, racing, ['started-racing']],
    ['quiet → racing (medium): started', { status: 'none', confidence: 'none' }, { status: 'races', confidence: 'medium', races: 5 }, ['started-racing']],
    ['no earlier report → racing: started', null, racing, ['started-racing']],
    ['cannot-tell → racing: started', { status: 'cannot-tell', confidence: 'none' }, racing, ['started-racing']],
    ['racing → stopped: stopped', racing, { status: 'stopped', confidence: 'high' }, ['stopped-racing']],
    ['racing → none: stopped', racing, { status: 'none', confidence: 'none' }, ['stopped-racing']],
    ['racing → racing: nothing, not once per run', racing, { ...racing, races: 20 }, []],
    ['quiet → racing with low confidence: nothing', { status: 'none', confidence: 'none' }, { status: 'races', confidence: 'low', races: 2 }, []],
    ['racing → racing with low confidence: nothing', racing, { status: 'races', confidence: 'low', races: 3 }, []],
    ['racing → cannot-tell: nothing', racing, { status: 'cannot-tell', confidence: 'none' }, []],
    ['low-confidence race → stopped: nothing (never alerted)', { status: 'races', confidence: 'low' }, { status: 'stopped', confidence: 'none' }, []],
    ['quiet → quiet: nothing', { status: 'none', confidence: 'none' }, { status: 'none', confidence: 'none' }, []],
  ])('%s', (_name, before, after, changes) => {
    const previous = before === null ? null : reportWith(before);
    expect(verdictChanges(previous, reportWith(after), 24).map((a) => a.change)).toEqual(changes);
  });

  it('tells T̂, the server it looks like and the fix when racing starts', () => {
    const [alert] = verdictChanges(reportWith({ status: 'none', confidence: 'none' }), reportWith(racing), 24);
    expect(alert).toMatchObject({ targetGroup: API_ARN, targetGroupName: 'shop-api' });
    expect(alert!.text).toContain('14 of 10,000 requests in the last 24 h');
    expect(alert!.text).toContain('about 6.0 s (T̂, confidence high), as Node.js http/https does by default');
    expect(alert!.text).toContain('server.keepAliveTimeout = 65000;');
  });

  it('judges each target group on its own', () => {
    const other = { arn: `${API_ARN}-web`, name: 'shop-web' };
    const previous = reportWith({ status: 'none', confidence: 'none' }, { ...other, ...racing });
    const current = reportWith(racing, { ...other, status: 'stopped', confidence: 'high' });
    expect(verdictChanges(previous, current, 24).map((a) => [a.targetGroupName, a.change])).toEqual([
      ['shop-api', 'started-racing'],
      ['shop-web', 'stopped-racing'],
    ]);
  });
});

describe('the SNS message', () => {
  it('has a subject SNS accepts (≤ 100 printable ASCII characters) and links the report', () => {
    const alerts = verdictChanges(null, reportWith(racing, { arn: `${API_ARN}-b`, name: 'a-very-long-target-group-name-that-goes-on', ...racing }), 24);
    const subject = alertSubject(alerts, 'checkout-prod-load-balancer-with-a-long-name');
    expect(subject.length).toBeLessThanOrEqual(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject).toContain('shop-api keep-alive races started (+1 more)');
    expect(alertMessage(alerts, '2026-03-02T10:00:00.000Z', 's3://r/reports/2026/03/02/1000.json')).toMatch(/Rolling report up to 2026-03-02T10:00:00.000Z: s3:\/\/r\/reports/);
  });

  it('is published once, to the topic, with that subject and message', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const id = await publishAlerts(new SNSClient({ region: 'eu-west-1' }), 'arn:aws:sns:eu-west-1:123456789012:t', 'subject', 'message');
    expect(id).toBe('m-1');
    expect(sns.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([{ TopicArn: 'arn:aws:sns:eu-west-1:123456789012:t', Subject: 'subject', Message: 'message' }]);
    sns.restore();
  });
});
