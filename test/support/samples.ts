/**
 * Valid ALB lines for tests that need entries but do not test the format itself (sources, CLI).
 * AWS's documented 29-field HTTP example (load-balancer-access-logs.html), with the time and the
 * client port varied per line so records can be told apart.
 */
export const SAMPLE_LINE =
  'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"';

/** SAMPLE_LINE with client port `1000 + i`. */
export const sampleLine = (i: number): string => SAMPLE_LINE.replace('192.168.131.39:2817', `192.168.131.39:${1000 + i}`);

/** `count` sample lines, each ending in `\n`. */
export const sampleText = (count: number, first = 0): string =>
  Array.from({ length: count }, (_, i) => `${sampleLine(first + i)}\n`).join('');
