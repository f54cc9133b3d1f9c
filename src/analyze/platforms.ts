/**
 * Where targets that stop listening before the ALB stops routing to them run, and the settings that give
 * the drain the measured window needs: the platform table (each row with the documentation it follows).
 * Chosen from what the log shows of a target group, and given as options when it cannot tell:
 *
 * - EKS with the AWS Load Balancer Controller: it names target groups `k8s-<namespace>-<service>-<hash>`.
 * - ECS: target groups the console creates are named `ecs-…`; tasks in bridge network mode get ephemeral
 *   host ports (32768 and up) from dynamic port mapping.
 * - Anything else: EKS, ECS, EC2 Auto Scaling and an Istio/Envoy sidecar are all listed as options.
 *
 * The derived settings, from the longest measured window W (seconds): the target keeps serving
 * S = ⌈W⌉ + DRAIN_MARGIN_SECONDS after it is told to stop (a preStop sleep on EKS, a SIGTERM handler that
 * keeps listening on ECS, a lifecycle hook on EC2), so that the ALB has stopped routing to it before it
 * closes its listener; the grace before a forced kill covers that and the application's own shutdown
 * (S + 30 s, Kubernetes' and ECS's default stop time); the deregistration delay ends before the kill.
 */
import { DRAIN_MARGIN_SECONDS } from './constants.js';
import type { DrainKind } from './drain.js';

export type PlatformId = 'eks' | 'ecs';

/** Seconds the advice derives from the measured window. */
export interface DrainSettings {
  windowSeconds: number;
  /** preStop sleep (EKS), or how long to keep listening after SIGTERM (ECS, EC2). */
  keepServingSeconds: number;
  /** terminationGracePeriodSeconds (EKS) and stopTimeout (ECS): the keep-serving time plus the application's shutdown. */
  gracePeriodSeconds: number;
  /** deregistration_delay.timeout_seconds: ends before the forced kill. */
  deregistrationDelaySeconds: number;
}

/** Time the application itself needs to shut down after it stops listening: the default stop grace of Kubernetes and ECS. */
export const APP_SHUTDOWN_SECONDS = 30;

export function drainSettings(windowSeconds: number): DrainSettings {
  const keepServingSeconds = Math.ceil(windowSeconds) + DRAIN_MARGIN_SECONDS;
  const gracePeriodSeconds = keepServingSeconds + APP_SHUTDOWN_SECONDS;
  return { windowSeconds, keepServingSeconds, gracePeriodSeconds, deregistrationDelaySeconds: gracePeriodSeconds - 5 };
}

export interface PlatformAdvice {
  /** Stable id of the row. */
  id: 'eks-prestop' | 'eks-load-balancer-controller' | 'istio' | 'ecs' | 'ec2-auto-scaling' | 'target-health';
  name: string;
  setting: string;
  snippet: string;
  /** The documentation the setting follows. */
  source: string;
  note?: string;
}

interface PlatformRow {
  id: PlatformAdvice['id'];
  name: string;
  setting: string;
  source: string;
  snippet(s: DrainSettings): string;
  note?: string;
}

/** The platform table. */
export const PLATFORMS: readonly PlatformRow[] = [
  {
    id: 'eks-prestop',
    name: 'EKS: preStop sleep and termination grace',
    setting: 'lifecycle.preStop and terminationGracePeriodSeconds of the pod spec',
    source: 'https://docs.aws.amazon.com/eks/latest/best-practices/load-balancing.html',
    snippet: (s) =>
      [
        'spec:',
        `  terminationGracePeriodSeconds: ${s.gracePeriodSeconds}`,
        '  containers:',
        '    - name: app',
        '      lifecycle:',
        '        preStop:',
        '          exec:',
        `            command: ["sleep", "${s.keepServingSeconds}"]`,
      ].join('\n'),
    note: 'The pod gets SIGTERM only when preStop returns, and the grace period counts from the start of preStop: it must cover the sleep and the application\'s own shutdown.',
  },
  {
    id: 'eks-load-balancer-controller',
    name: 'EKS: AWS Load Balancer Controller',
    setting: 'Ingress annotations alb.ingress.kubernetes.io/target-type and target-group-attributes; the pod readiness gate',
    source: 'https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/deploy/pod_readiness_gate/',
    snippet: (s) =>
      [
        'metadata:',
        '  annotations:',
        '    alb.ingress.kubernetes.io/target-type: ip',
        `    alb.ingress.kubernetes.io/target-group-attributes: deregistration_delay.timeout_seconds=${s.deregistrationDelaySeconds}`,
        '# and, so that a rollout waits for new pods to be healthy in the target group:',
        'kubectl label namespace <namespace> elbv2.k8s.aws/pod-readiness-gate-inject=enabled',
      ].join('\n'),
    note: 'Readiness gates work with target-type ip only: with instance targets the ALB sends to the nodes, which know nothing of the pods.',
  },
  {
    id: 'istio',
    name: 'Istio/Envoy sidecar (if the pods have one)',
    setting: 'proxy.istio.io/config: terminationDrainDuration, proxyMetadata EXIT_ON_ZERO_ACTIVE_CONNECTIONS',
    source: 'https://istio.io/latest/docs/reference/config/istio.mesh.v1alpha1/#ProxyConfig',
    snippet: (s) =>
      [
        'metadata:',
        '  annotations:',
        '    proxy.istio.io/config: |',
        `      terminationDrainDuration: ${s.keepServingSeconds}s`,
        '      proxyMetadata:',
        '        EXIT_ON_ZERO_ACTIVE_CONNECTIONS: "true"',
      ].join('\n'),
    note: 'istio-proxy stops 5 s after SIGTERM by default: a sidecar that leaves before the application turns its last requests into 502s.',
  },
  {
    id: 'ecs',
    name: 'ECS: stop timeout and deregistration delay',
    setting: 'container definition stopTimeout; target group deregistration_delay.timeout_seconds; a SIGTERM handler',
    source: 'https://docs.aws.amazon.com/AmazonECS/latest/bestpracticesguide/load-balancer-connection-draining.html',
    snippet: (s) =>
      [
        `"stopTimeout": ${Math.min(120, s.gracePeriodSeconds)}   // in the container definition (at most 120 on Fargate)`,
        `aws elbv2 modify-target-group-attributes --target-group-arn <arn> --attributes Key=deregistration_delay.timeout_seconds,Value=${s.deregistrationDelaySeconds}`,
        `// on SIGTERM keep listening ${s.keepServingSeconds} s, then stop accepting and finish what is in flight`,
      ].join('\n'),
    note: 'ECS deregisters a task it stops and waits for the deregistration delay before SIGTERM; refusals mean tasks that stopped otherwise (a container that exited, a Spot interruption) or an application that stops listening on SIGTERM at once.',
  },
  {
    id: 'ec2-auto-scaling',
    name: 'EC2 Auto Scaling: termination lifecycle hook',
    setting: 'lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING; the group attached to the target group',
    source: 'https://docs.aws.amazon.com/autoscaling/ec2/userguide/lifecycle-hooks.html',
    snippet: (s) =>
      [
        'aws autoscaling put-lifecycle-hook --auto-scaling-group-name <asg> --lifecycle-hook-name drain-before-terminate \\',
        `  --lifecycle-transition autoscaling:EC2_INSTANCE_TERMINATING --heartbeat-timeout ${s.deregistrationDelaySeconds + s.keepServingSeconds} --default-result CONTINUE`,
      ].join('\n'),
    note: 'With the Auto Scaling group attached to the target group, instances are deregistered and drained before they terminate; the hook keeps them alive meanwhile.',
  },
];

/** For groups that never answered: what the ALB says of its targets' health. */
const TARGET_HEALTH: PlatformRow = {
  id: 'target-health',
  name: 'Target health',
  setting: 'DescribeTargetHealth reason codes; target group protocol and port; security groups',
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html',
  snippet: () => 'aws elbv2 describe-target-health --target-group-arn <arn>   # TargetHealth.Reason and Description per target',
  note: 'Check the target group\'s protocol and port against what the targets listen on (HTTP to an HTTPS-only target, or the reverse), and that the targets\' security group admits the ALB\'s.',
};

/** The platform the log points to, with why; null when it cannot tell. */
export function detectPlatform(groupName: string, targets: readonly string[]): { platform: PlatformId | null; evidence: string | null } {
  if (/^k8s-/i.test(groupName)) return { platform: 'eks', evidence: 'its name starts with k8s-, as the AWS Load Balancer Controller names target groups' };
  if (/^ecs-/i.test(groupName)) return { platform: 'ecs', evidence: 'its name starts with ecs-, as ECS names the target groups it creates' };
  const ports = targets.map((t) => Number(t.slice(t.lastIndexOf(':') + 1))).filter((p) => Number.isInteger(p) && p > 0);
  if (ports.length > 0 && ports.every((p) => p >= 32768)) {
    return { platform: 'ecs', evidence: 'its targets listen on ephemeral ports (32768 and up), as ECS tasks in bridge network mode do' };
  }
  return { platform: null, evidence: null };
}

/** The rows to show for a group, in order: the detected platform's, else all of them as options. */
export function platformAdvice(kind: DrainKind, platform: PlatformId | null, settings: DrainSettings): PlatformAdvice[] {
  const rows =
    kind === 'misconfiguration'
      ? [TARGET_HEALTH]
      : platform === 'eks'
        ? PLATFORMS.filter((p) => p.id === 'eks-prestop' || p.id === 'eks-load-balancer-controller' || p.id === 'istio')
        : platform === 'ecs'
          ? PLATFORMS.filter((p) => p.id === 'ecs' || (kind === 'scale-in' && p.id === 'ec2-auto-scaling'))
          : PLATFORMS;
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    setting: row.setting,
    snippet: row.snippet(settings),
    source: row.source,
    ...(row.note !== undefined && { note: row.note }),
  }));
}
