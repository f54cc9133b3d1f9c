/**
 * Pure: `s3://` URIs, time ranges ↔ ALB key prefixes, and which keys are worth downloading. The layout
 * (domain.md §4; docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html):
 *
 *   bucket[/prefix]/AWSLogs/<account>/elasticloadbalancing/<region>/<yyyy>/<mm>/<dd>/
 *     <account>_elasticloadbalancing_<region>_app.<lb-name>.<lb-id>_<end YYYYMMDDTHHMMZ>_<node-ip>_<random>.log.gz
 *
 * The date folder is the DELIVERY date and `end` is the END of the file's 5-minute interval, so a range
 * is read from one day folder before it to one after it, and a file is chosen by its interval.
 */
import { AlbDoctorError } from '../errors.js';
import { classifyLogName } from './logNames.js';
import type { SkipReason } from './logObject.js';

/** Each node writes one file per 5 minutes (sometimes several), named after the interval's end. */
export const INTERVAL_MS = 5 * 60_000;
/**
 * Inference, no AWS page states it: an entry may be written into the file after the one its `time`
 * belongs to (it is logged when the response ends, the file is cut by the node's clock). Reading one more
 * interval per node costs one small object and protects the range's last minutes.
 */
export const LATE_ENTRY_MS = 5 * 60_000;
const DAY_MS = 24 * 60 * 60_000;

export interface S3Location {
  bucket: string;
  /** Everything after `bucket/`, as given (may be empty). */
  prefix: string;
}

export const isS3Uri = (target: string): boolean => /^s3:\/\//i.test(target);

// Bucket names: 3–63 lowercase letters, digits, dots and hyphens today; older us-east-1 buckets may hold
// uppercase letters and underscores, so those are accepted too.
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{2,254}$/;

export function parseS3Uri(uri: string): S3Location {
  const rest = uri.replace(/^s3:\/\//i, '');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (!BUCKET_NAME.test(bucket)) {
    throw new AlbDoctorError('USAGE', `${uri}: '${bucket}' is not a bucket name; write s3://bucket or s3://bucket/prefix.`, {
      source: uri,
    });
  }
  return { bucket, prefix };
}

export const s3Uri = (bucket: string, key: string): string => `s3://${bucket}/${key}`;

/**
 * Where a prefix stops in the layout. A prefix at or above the region folder names a folder (a trailing
 * `/` is implied, as `aws s3 ls` users expect); below it, the prefix is used as given.
 */
export type PrefixShape =
  /** No `AWSLogs/` in it: `AWSLogs/` is in this folder or in one of its subfolders (one prefix per load balancer). */
  | { kind: 'above'; folder: string }
  /** `…/AWSLogs/`: accounts below. */
  | { kind: 'awsLogs'; folder: string }
  /** `…/AWSLogs/<account>/elasticloadbalancing/`: regions below. `listPrefix` is what the user named. */
  | { kind: 'account'; folder: string; listPrefix: string }
  /** `…/AWSLogs/<account>/elasticloadbalancing/<region>/`, plus whatever the prefix names below it. */
  | { kind: 'region'; folder: string; below: string }
  /** Under `AWSLogs/` but not the ALB layout (another service's logs): listed as given. */
  | { kind: 'other'; prefix: string };

const ELB_FOLDER = 'elasticloadbalancing';

export function prefixShape(prefix: string): PrefixShape {
  const parts = prefix.split('/');
  const at = parts.indexOf('AWSLogs');
  const asFolder = (p: string): string => (p === '' || p.endsWith('/') ? p : `${p}/`);
  if (at < 0) return { kind: 'above', folder: asFolder(prefix) };
  const head = parts.slice(0, at + 1).join('/') + '/';
  const after = parts.slice(at + 1);
  if (after.at(-1) === '') after.pop(); // a trailing slash
  const [account, service, region] = after;
  if (account === undefined) return { kind: 'awsLogs', folder: head };
  if (service !== undefined && service !== ELB_FOLDER) return { kind: 'other', prefix };
  const accountFolder = `${head}${account}/${ELB_FOLDER}/`;
  if (region === undefined) return { kind: 'account', folder: accountFolder, listPrefix: asFolder(prefix) };
  const folder = `${accountFolder}${region}/`;
  return { kind: 'region', folder, below: after.length > 3 ? prefix.slice(folder.length) : '' };
}

/** What the user's prefix names when it is listed whole (no time range). */
export function listPrefixOf(shape: PrefixShape): string {
  switch (shape.kind) {
    case 'above':
    case 'awsLogs':
      return shape.folder;
    case 'account':
      return shape.listPrefix;
    case 'region':
      return shape.folder + shape.below;
    case 'other':
      return shape.prefix;
  }
}

export interface TimeRange {
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

const two = (n: number): string => String(n).padStart(2, '0');

const dayFolderName = (epochMs: number): string => {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/`;
};

/**
 * The day folders (`yyyy/mm/dd/`, UTC) that can hold files for [from, to): from the day before `from`
 * to the day after the last interval that may hold the range's entries, since files land in the folder
 * of the day they were delivered, minutes after their interval ends.
 */
export function dayFolders(from: Date, to: Date): string[] {
  const first = Math.floor(from.getTime() / DAY_MS) * DAY_MS - DAY_MS;
  const lastEnd = to.getTime() - 1 + INTERVAL_MS + LATE_ENTRY_MS;
  const last = Math.floor(lastEnd / DAY_MS) * DAY_MS + DAY_MS;
  const folders: string[] = [];
  for (let day = first; day <= last; day += DAY_MS) folders.push(dayFolderName(day));
  return folders;
}

/** `<account>_elasticloadbalancing_<region>_app.<lb>.`: how one load balancer's log names start. */
export function lbFilePrefix(regionFolder: string, lbName: string): string | null {
  const m = /AWSLogs\/([^/]+)\/elasticloadbalancing\/([^/]+)\/$/.exec(regionFolder);
  return m ? `${m[1]}_elasticloadbalancing_${m[2]}_app.${lbName}.` : null;
}

/**
 * The prefixes to list for a range under one region folder: its day folders, narrowed to one load
 * balancer's files when `lbName` is given (the other files in the folder are not even listed), and
 * intersected with whatever the user's prefix named below the region folder.
 */
export function rangePrefixes(shape: Extract<PrefixShape, { kind: 'region' }>, from: Date, to: Date, lbName?: string): string[] {
  const wanted = shape.folder + shape.below;
  const filePrefix = lbName === undefined ? '' : (lbFilePrefix(shape.folder, lbName) ?? '');
  const prefixes: string[] = [];
  for (const day of dayFolders(from, to)) {
    const candidate = shape.folder + day + filePrefix;
    if (candidate.startsWith(wanted)) prefixes.push(candidate);
    else if (wanted.startsWith(candidate) && !prefixes.includes(wanted)) prefixes.push(wanted);
  }
  return prefixes;
}

/** `YYYYMMDDTHHMMZ` → epoch ms. */
export function stampToEpochMs(stamp: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z$/.exec(stamp);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
}

/** Whether a file whose interval ends at `endMs` can hold entries with `time` in the range. */
export function mayHoldRange(endMs: number, range: TimeRange): boolean {
  // The file covers [end − 5 min, end): nothing in it is logged at or after its end…
  if (range.from !== undefined && endMs <= range.from.getTime()) return false;
  // …and nothing before its start, allowing for entries written one interval late.
  if (range.to !== undefined && endMs - INTERVAL_MS - LATE_ENTRY_MS >= range.to.getTime()) return false;
  return true;
}

export interface KeyFilter {
  range: TimeRange;
  /** Only this load balancer's objects (the name in `app/<name>/<id>`). */
  lbName?: string;
}

export type KeyVerdict =
  | { kind: 'read'; nodeIp: string | null }
  | { kind: 'skip'; reason: SkipReason }
  /** Another load balancer's object, an interval outside the range, or a console "folder" marker. */
  | { kind: 'outside' };

// The load balancer a name belongs to, for names that carry one (access, connection, health-check, NLB logs).
const LB_IN_NAME = /_elasticloadbalancing_[a-z0-9-]+_(?:app|net)\.([A-Za-z0-9-]+)\.[0-9a-f]+_/;

/** Decides from a key and its listed size alone, before any download. */
export function judgeKey(key: string, sizeBytes: number, filter: KeyFilter): KeyVerdict {
  if (key.endsWith('/')) return { kind: 'outside' };
  const baseName = key.slice(key.lastIndexOf('/') + 1);
  const verdict = classifyLogName(baseName, false);
  if (filter.lbName !== undefined) {
    const lb = LB_IN_NAME.exec(baseName)?.[1];
    // A name with another load balancer in it, or an unknown name that cannot be attributed, is not ours.
    if (lb !== undefined ? lb !== filter.lbName : verdict.kind === 'alb') return { kind: 'outside' };
  }
  if (verdict.kind === 'skip') return verdict;
  if (verdict.endTime !== null && !mayHoldRange(stampToEpochMs(verdict.endTime), filter.range)) return { kind: 'outside' };
  // AWS leaves 0-byte .log.gz objects when a node is replaced.
  if (sizeBytes === 0) return { kind: 'skip', reason: 'empty_object' };
  return { kind: 'read', nodeIp: verdict.nodeIp };
}

/**
 * `my-alb`, `app/my-alb/50dc6c495c0c9188` or the load balancer's ARN → `my-alb`; null when it is none of
 * these. Names are 1–32 letters, digits and hyphens.
 */
export function lbNameOf(input: string): string | null {
  const m = /^(?:arn:[^:]+:elasticloadbalancing:[^:]*:[^:]*:loadbalancer\/)?(?:app\/)?([A-Za-z0-9-]{1,32})(?:\/[0-9a-f]+)?$/.exec(input);
  return m ? m[1]! : null;
}
