// Where ALB logs land in S3 (domain.md §4): one object per node per 5 minutes, named
// after the END of the interval, in the folder of the DELIVERY date; plus the other
// objects that share those folders.

import { gzipSync } from 'node:zlib';
import { Rng } from './prng.js';
import type { Identity } from './setup.js';

export const INTERVAL_MS = 5 * 60_000;
/** Delivery lags the interval end by minutes, so late intervals land in the next day's folder. */
export const DELIVERY_DELAY_MINUTES: [number, number] = [1, 9];

export function intervalEndEpochMs(epochMs: number): number {
  return Math.floor(epochMs / INTERVAL_MS) * INTERVAL_MS + INTERVAL_MS;
}

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `YYYYMMDDTHHMMZ`, the timestamp inside ALB object names. */
export function keyStamp(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}T${two(d.getUTCHours())}${two(d.getUTCMinutes())}Z`;
}

export function dayFolder(identity: Identity, epochMs: number): string {
  const d = new Date(epochMs);
  return `AWSLogs/${identity.account}/elasticloadbalancing/${identity.region}/${d.getUTCFullYear()}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}`;
}

function objectBase(identity: Identity, endEpochMs: number): string {
  return `${identity.account}_elasticloadbalancing_${identity.region}_app.${identity.lbName}.${identity.lbId}_${keyStamp(endEpochMs)}`;
}

export interface FileNaming {
  key: string;
  deliveryEpochMs: number;
}

/** Key of the access-log object for one node and interval; its randomness comes from `rng`. */
export function accessLogKey(identity: Identity, endEpochMs: number, nodeIp: string, rng: Rng, gzip: boolean): FileNaming {
  const deliveryEpochMs = endEpochMs + rng.uniform(DELIVERY_DELAY_MINUTES[0], DELIVERY_DELAY_MINUTES[1]) * 60_000;
  const name = `${objectBase(identity, endEpochMs)}_${nodeIp}_${rng.alnumLower(8)}.log${gzip ? '.gz' : ''}`;
  return { key: `${dayFolder(identity, deliveryEpochMs)}/${name}`, deliveryEpochMs };
}

/** The node-unknown case: everything concatenated into one object with no node IP in its name. */
export function concatenatedKey(identity: Identity, startEpochMs: number, gzip: boolean): string {
  return `${identity.lbName}_${keyStamp(startEpochMs)}_all-nodes.log${gzip ? '.gz' : ''}`;
}

export interface JunkObject {
  key: string;
  body: Buffer;
}

/**
 * Objects that are not access logs but sit in the same folders. Their contents only
 * need to be plausible: source tests check they are skipped and counted.
 */
export function junkObjects(identity: Identity, dayFirstEndsEpochMs: number[], seedLabel: string): JunkObject[] {
  const rng = new Rng(seedLabel, 'junk');
  const out: JunkObject[] = [];
  const firstEndEpochMs = dayFirstEndsEpochMs[0];
  if (firstEndEpochMs === undefined) return out;
  const nodeIp = identity.nodeIps[0] ?? '172.31.0.10';
  for (const endEpochMs of dayFirstEndsEpochMs) {
    const folder = dayFolder(identity, endEpochMs + DELIVERY_DELAY_MINUTES[1] * 60_000);
    const t = new Date(endEpochMs - 120_000).toISOString().replace('Z', '123Z');
    const connLines = [
      `${t} 203.0.113.7 51234 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 0.012 - - - Success TID_${rng.hex(32)}`,
      `${t} 198.51.100.23 40022 443 TLSv1.3 TLS_AES_128_GCM_SHA256 0.009 - - - Success TID_${rng.hex(32)}`,
    ];
    out.push({
      key: `${folder}/conn_log.${objectBase(identity, endEpochMs)}_${nodeIp}_${rng.alnumLower(8)}.log.gz`,
      body: gzipSync(connLines.join('\n') + '\n'),
    });
    const healthLines = [`http ${t} ${identity.elb} 10.0.16.21:3000 0.002 200 "-" "PASS"`];
    out.push({
      key: `${folder}/health_check_log_${objectBase(identity, endEpochMs)}_${nodeIp}_${rng.alnumLower(8)}.log.gz`,
      body: gzipSync(healthLines.join('\n') + '\n'),
    });
  }
  const folder = dayFolder(identity, firstEndEpochMs + DELIVERY_DELAY_MINUTES[1] * 60_000);
  const endEpochMs = firstEndEpochMs;
  const nlbId = rng.hex(16);
  const nlbLine =
    `tls 2.0 ${new Date(endEpochMs - 60_000).toISOString()} net/${identity.lbName}-nlb/${nlbId} ${rng.hex(16)} ` +
    `192.0.2.44:42811 10.0.16.30:443 1000 3 57 1834 - arn:aws:acm:${identity.region}:${identity.account}:certificate/${rng.hex(8)} - ` +
    `ECDHE-RSA-AES128-GCM-SHA256 tlsv12 - api.example.com - - - ${new Date(endEpochMs - 61_000).toISOString()}`;
  out.push({
    key: `${folder}/${identity.account}_elasticloadbalancing_${identity.region}_net.${identity.lbName}-nlb.${nlbId}_${keyStamp(endEpochMs)}_${rng.alnumLower(8)}.log.gz`,
    body: gzipSync(nlbLine + '\n'),
  });
  out.push({
    key: `${folder}/ELBAccessLogTestFile`,
    body: Buffer.from(`Enable AccessLog for ELB: ${identity.lbName} at ${new Date(endEpochMs - INTERVAL_MS).toISOString()}\n`),
  });
  // A node that was replaced leaves a 0-byte object behind.
  out.push({
    key: `${folder}/${objectBase(identity, endEpochMs)}_172.31.250.9_${rng.alnumLower(8)}.log.gz`,
    body: Buffer.alloc(0),
  });
  return out;
}
