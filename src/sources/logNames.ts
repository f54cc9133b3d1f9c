/**
 * Pure: what an object's name says about it. The S3 layout (domain.md §4):
 *   <account>_elasticloadbalancing_<region>_app.<lb-name>.<lb-id>_<end YYYYMMDDTHHMMZ>_<node-ip>_<random>.log.gz
 * Other things live in the same folders (connection logs, health-check logs, NLB `net.` files, AWS's
 * test file) and are skipped with a reason. Used by the local and the S3 source alike.
 */
import type { SkipReason } from './logObject.js';

export type NameVerdict =
  | { kind: 'alb'; nodeIp: string | null; lbName: string | null; endTime: string | null }
  | { kind: 'skip'; reason: SkipReason };

// lb names are letters, digits and hyphens; the node part is an IPv4 (or IPv6) address.
const ALB_KEY = /_elasticloadbalancing_[a-z0-9-]+_app\.([A-Za-z0-9-]+)\.[0-9a-f]+_(\d{8}T\d{4}Z)_([0-9A-Fa-f.:]+)_[A-Za-z0-9]+\.log(?:\.gz)?$/;

// Files that folder walks pass over as not logs (an explicitly named file is always read).
const NOT_LOG_EXTENSIONS = /\.(md|json|jsonl|csv|sql|html?|ya?ml|ts|js|sh)$/i;

/** `explicit`: the user named this file, so only names that are certainly not access logs are skipped. */
export function classifyLogName(baseName: string, explicit: boolean): NameVerdict {
  if (baseName === 'ELBAccessLogTestFile') return { kind: 'skip', reason: 'test_file' };
  if (/^conn_log|_conn_log_/.test(baseName)) return { kind: 'skip', reason: 'connection_log' };
  if (/^health_check_log|_health_check_log_/.test(baseName)) return { kind: 'skip', reason: 'health_check_log' };
  if (/_elasticloadbalancing_[a-z0-9-]+_net\./.test(baseName)) return { kind: 'skip', reason: 'nlb_log' };
  const alb = ALB_KEY.exec(baseName);
  if (alb) return { kind: 'alb', lbName: alb[1]!, endTime: alb[2]!, nodeIp: alb[3]! };
  // Classic ELB names have no `app.` part: <account>_elasticloadbalancing_<region>_<name>_<end>_<ip>_<random>.log
  if (/_elasticloadbalancing_[a-z0-9-]+_(?!app\.)[A-Za-z0-9-]+_\d{8}T\d{4}Z_/.test(baseName)) {
    return { kind: 'skip', reason: 'classic_elb_log' };
  }
  if (!explicit && (baseName.startsWith('.') || NOT_LOG_EXTENSIONS.test(baseName))) {
    return { kind: 'skip', reason: 'not_a_log_file' };
  }
  return { kind: 'alb', nodeIp: null, lbName: null, endTime: null };
}
