/**
 * Pure: which load balancer and target groups `--describe` reads, as ARNs, from what the logs say.
 *
 * An entry's `elb` field is `app/<name>/<id>`, the ARN's resource without its region and account. Those
 * come, in this order, from `--lb` given as an ARN, the log file's name (the S3 layout
 * `<account>_elasticloadbalancing_<region>_app.<name>.<id>_…`, kept by `aws s3 sync`), or the logs'
 * target group ARNs, which hold the load balancer's region and account: a target group is used only by
 * load balancers of its own account and region (docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html).
 */

/** The `elb` field of one object's first entry, with the object's name. */
export interface LoadBalancerSighting {
  elb: string;
  objectName: string;
}

export interface DescribeTargets {
  loadBalancerArns: string[];
  targetGroupArns: string[];
  /** `app/<name>/<id>` of load balancers seen in the logs whose region and account nothing told. */
  unresolved: string[];
}

const LB_ARN = /^arn:([^:]+):elasticloadbalancing:([a-z0-9-]+):(\d{12}):loadbalancer\/(app\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+)$/;
const TG_ARN = /^arn:([^:]+):elasticloadbalancing:([a-z0-9-]+):(\d{12}):targetgroup\/[A-Za-z0-9-]{1,32}\/[0-9a-f]+$/;
const ELB_FIELD = /^app\/([A-Za-z0-9-]{1,32})\/([0-9a-f]+)$/;

interface Place {
  partition: string;
  region: string;
  account: string;
}

/** The ARN partition of a region: `aws-cn` for China, `aws-us-gov` for GovCloud, else `aws`. */
export const partitionOf = (region: string): string => (region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws');

/** The region of an Elastic Load Balancing ARN; null for anything else. */
export function regionOfArn(arn: string): string | null {
  return /^arn:[^:]+:elasticloadbalancing:([a-z0-9-]+):/.exec(arn)?.[1] ?? null;
}

export const isTargetGroupArn = (arn: string): boolean => TG_ARN.test(arn);

/** `--lb` as an ARN → that ARN; null for a name or `app/<name>/<id>`. */
export const loadBalancerArnOf = (lb: string): string | null => (LB_ARN.test(lb) ? lb : null);

function placeInName(objectName: string, name: string, id: string): Place | null {
  const base = objectName.slice(objectName.lastIndexOf('/') + 1);
  const m = /^(\d{12})_elasticloadbalancing_([a-z0-9-]+)_app\.([A-Za-z0-9-]+)\.([0-9a-f]+)_/.exec(base);
  if (m === null || m[3] !== name || m[4] !== id) return null;
  return { partition: partitionOf(m[2]!), region: m[2]!, account: m[1]! };
}

/** The one region and account of all the target group ARNs; null when there are none or several. */
function placeOfTargetGroups(targetGroupArns: readonly string[]): Place | null {
  let place: Place | null = null;
  for (const arn of targetGroupArns) {
    const m = TG_ARN.exec(arn);
    if (m === null) continue;
    const here = { partition: m[1]!, region: m[2]!, account: m[3]! };
    if (place !== null && (place.region !== here.region || place.account !== here.account)) return null;
    place = here;
  }
  return place;
}

/**
 * The ARNs to describe: every load balancer seen in the logs (and `--lb` when it is an ARN), and every
 * target group of the logs, each once and sorted.
 */
export function describeTargets(sightings: readonly LoadBalancerSighting[], targetGroupArns: readonly string[], lbFlag?: string): DescribeTargets {
  const groups = [...new Set(targetGroupArns.filter(isTargetGroupArn))].sort();
  const flagArn = lbFlag === undefined ? null : loadBalancerArnOf(lbFlag);
  const fromGroups = placeOfTargetGroups(groups);
  const arns = new Set<string>();
  const unresolved = new Set<string>();
  if (flagArn !== null) arns.add(flagArn);
  for (const { elb, objectName } of sightings) {
    const m = ELB_FIELD.exec(elb);
    if (m === null) continue;
    if (flagArn !== null && flagArn.endsWith(`:loadbalancer/${elb}`)) continue;
    const place = placeInName(objectName, m[1]!, m[2]!) ?? fromGroups;
    if (place === null) unresolved.add(elb);
    else arns.add(`arn:${place.partition}:elasticloadbalancing:${place.region}:${place.account}:loadbalancer/${elb}`);
  }
  return { loadBalancerArns: [...arns].sort(), targetGroupArns: groups, unresolved: [...unresolved].sort() };
}
