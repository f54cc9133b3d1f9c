import { describe, expect, it } from 'vitest';
import { classifyLogName } from '../../src/sources/logNames.js';

// Object names as AWS writes them (domain.md §4; docs.aws.amazon.com/elasticloadbalancing/latest/
// application/load-balancer-access-logs.html "Access log files"). Connection logs are documented as
// `conn_log.<account>_…` but delivered as `conn_log_<account>_…` (grafana/lambda-promtail#23).
const ACCESS = '123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.1.192_20sg8hgm.log.gz';

describe('classifyLogName', () => {
  const albRows: { name: string; file: string; nodeIp: string | null; lbName: string | null; endTime: string | null }[] = [
    { name: 'AWS access log', file: ACCESS, nodeIp: '172.160.1.192', lbName: 'my-loadbalancer', endTime: '20140215T2340Z' },
    { name: 'AWS access log gunzipped (.log)', file: ACCESS.replace(/\.gz$/, ''), nodeIp: '172.160.1.192', lbName: 'my-loadbalancer', endTime: '20140215T2340Z' },
    { name: 'AWS example with zero-padded octets', file: '123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz', nodeIp: '172.160.001.192', lbName: 'my-loadbalancer', endTime: '20140215T2340Z' },
    { name: 'IPv6 node', file: '123456789012_elasticloadbalancing_eu-west-1_app.web.0a1b2c3d4e5f6a7b_20260301T0005Z_2a05:d018::1_abc.log.gz', nodeIp: '2a05:d018::1', lbName: 'web', endTime: '20260301T0005Z' },
    { name: 'any other name is read, without a node', file: 'export.log', nodeIp: null, lbName: null, endTime: null },
    { name: 'a name without an extension is read', file: 'alb-logs', nodeIp: null, lbName: null, endTime: null },
  ];
  it.each(albRows)('$name', ({ file, nodeIp, lbName, endTime }) => {
    expect(classifyLogName(file, false)).toEqual({ kind: 'alb', nodeIp, lbName, endTime });
  });

  const skipRows: { name: string; file: string; explicit: boolean; reason: string }[] = [
    { name: 'connection log as delivered', file: `conn_log_${ACCESS}`, explicit: false, reason: 'connection_log' },
    { name: 'connection log as documented', file: `conn_log.${ACCESS}`, explicit: false, reason: 'connection_log' },
    { name: 'connection log named explicitly', file: `conn_log_${ACCESS}`, explicit: true, reason: 'connection_log' },
    { name: 'health check log', file: `health_check_log_${ACCESS}`, explicit: false, reason: 'health_check_log' },
    { name: 'AWS test file', file: 'ELBAccessLogTestFile', explicit: false, reason: 'test_file' },
    { name: 'AWS test file named explicitly', file: 'ELBAccessLogTestFile', explicit: true, reason: 'test_file' },
    { name: 'NLB access log', file: '123456789012_elasticloadbalancing_us-east-2_net.my-nlb.1234567890abcdef_20260301T1005Z_ab12cd34.log.gz', explicit: false, reason: 'nlb_log' },
    { name: 'Classic ELB access log', file: '123456789012_elasticloadbalancing_us-east-2_my-classic-lb_20140215T2340Z_172.160.1.192_20sg8hgm.log', explicit: false, reason: 'classic_elb_log' },
    { name: 'README.md in a folder', file: 'README.md', explicit: false, reason: 'not_a_log_file' },
    { name: 'a JSON file in a folder', file: 'truth.json', explicit: false, reason: 'not_a_log_file' },
    { name: 'a dot file in a folder', file: '.DS_Store', explicit: false, reason: 'not_a_log_file' },
  ];
  it.each(skipRows)('skips $name', ({ file, explicit, reason }) => {
    expect(classifyLogName(file, explicit)).toEqual({ kind: 'skip', reason });
  });

  it('reads README.md when the user names it', () => {
    expect(classifyLogName('README.md', true).kind).toBe('alb');
  });
});
