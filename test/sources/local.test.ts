import { accessSync, chmodSync, constants, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInput } from '../../src/run.js';
import { openSources } from '../../src/sources/index.js';
import { openLocalSources } from '../../src/sources/local.js';
import type { SourceItem } from '../../src/sources/logObject.js';
import { sampleText } from '../support/samples.js';

const ACCOUNT_DIR = 'AWSLogs/123456789012';
const DAY_DIR = `${ACCOUNT_DIR}/elasticloadbalancing/us-east-2/2026/03/01`;
const key = (end: string, node: string): string =>
  `123456789012_elasticloadbalancing_us-east-2_app.my-lb.1234567890abcdef_${end}_${node}_a1b2c3d4.log.gz`;
const FILE_A = `${DAY_DIR}/${key('20260301T1005Z', '10.0.1.23')}`;
const FILE_B = `${DAY_DIR}/${key('20260301T1010Z', '10.0.1.24')}`;
const FILE_EMPTY = `${DAY_DIR}/${key('20260301T1015Z', '10.0.1.25')}`;
const FILE_NLB = `${DAY_DIR}/123456789012_elasticloadbalancing_us-east-2_net.my-nlb.1234567890abcdef_20260301T1005Z_ab12cd34.log.gz`;
const FILE_CONN = `${DAY_DIR}/conn_log_${key('20260301T1005Z', '10.0.1.23')}`;
const FILE_HEALTH = `${DAY_DIR}/health_check_log_${key('20260301T1005Z', '10.0.1.23')}`;
const FILE_TEST = `${ACCOUNT_DIR}/ELBAccessLogTestFile`;

let root: string;
const at = (relative: string): string => path.join(root, relative);

function write(relative: string, data: string | Buffer): void {
  mkdirSync(path.dirname(at(relative)), { recursive: true });
  writeFileSync(at(relative), data);
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'alb-doctor-local-'));
  // Created out of name order, so a walk that does not sort shows up (whatever order readdir keeps).
  write('zz-plain.log.gz', sampleText(1, 30)); // plain text called .gz
  write(FILE_B, gzipSync(sampleText(2, 10)));
  write(FILE_EMPTY, Buffer.alloc(0));
  write('README.md', '# logs\n');
  write(FILE_A, gzipSync(sampleText(1, 0)));
  write(FILE_HEALTH, gzipSync('health check\n'));
  write(FILE_NLB, gzipSync('tls 2.0 2026-03-01T10:00:00 net/my-nlb/1234567890abcdef …\n'));
  write(FILE_CONN, gzipSync('2026-03-01T10:00:00.000000Z 192.168.1.1 2817 443 TLSv1.2 …\n'));
  write(FILE_TEST, 'Enable AccessLog for ELB: my-lb at 2026-03-01T10:00:00.000Z');
  write('gz-as-log.log', gzipSync(sampleText(1, 20))); // gzip called .log
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const emptyStdin = (): Readable => Readable.from([]);

/** Items as plain data with names relative to the temp root. */
async function items(paths: string[], stdin: Readable = emptyStdin()): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for await (const item of openLocalSources(paths, stdin) as AsyncIterable<SourceItem>) {
    const name = item.name.startsWith(root) ? path.relative(root, item.name) : item.name;
    if (item.kind === 'log') out.push({ kind: 'log', name, nodeIp: item.nodeIp });
    else if (item.kind === 'skipped') out.push({ kind: 'skipped', name, reason: item.reason });
    else out.push({ kind: 'unread', name, code: item.error.code });
  }
  return out;
}

/** Runs the real input pipeline; records as (file relative to root, line, client port). */
async function read(paths: string[], stdin: Readable = emptyStdin()) {
  const records: [string, number, number | null][] = [];
  const stats = await readInput(openLocalSources(paths, stdin), {
    onEntry(entry, object, lineNumber) {
      const record = entry.toRecord(object.name, lineNumber);
      const name = object.name.startsWith(root) ? path.relative(root, object.name) : object.name;
      records.push([name, record._line, record.client_port ?? null]);
    },
  });
  return { records, stats };
}

describe('openLocalSources', () => {
  it('walks a folder recursively in name order, skipping what is not an access log, with reasons', async () => {
    expect(await items([root])).toEqual([
      { kind: 'skipped', name: FILE_TEST, reason: 'test_file' },
      { kind: 'log', name: FILE_A, nodeIp: '10.0.1.23' },
      { kind: 'log', name: FILE_B, nodeIp: '10.0.1.24' },
      { kind: 'skipped', name: FILE_EMPTY, reason: 'empty_object' },
      { kind: 'skipped', name: FILE_NLB, reason: 'nlb_log' },
      { kind: 'skipped', name: FILE_CONN, reason: 'connection_log' },
      { kind: 'skipped', name: FILE_HEALTH, reason: 'health_check_log' },
      { kind: 'skipped', name: 'README.md', reason: 'not_a_log_file' },
      { kind: 'log', name: 'gz-as-log.log', nodeIp: null },
      { kind: 'log', name: 'zz-plain.log.gz', nodeIp: null },
    ]);
  });

  it('reads every log of the folder, gzip or not by content, and counts the skipped ones', async () => {
    const { records, stats } = await read([root]);
    expect(records).toEqual([
      [FILE_A, 1, 1000],
      [FILE_B, 1, 1010],
      [FILE_B, 2, 1011],
      ['gz-as-log.log', 1, 1020],
      ['zz-plain.log.gz', 1, 1030],
    ]);
    expect(stats).toMatchObject({ files: 4, entries: 5, malformed: 0, skippedFiles: 6, unread: [] });
    expect(stats.skippedByReason).toEqual({ test_file: 1, empty_object: 1, nlb_log: 1, connection_log: 1, health_check_log: 1, not_a_log_file: 1 });
  });

  it('reads a file the user names even when a folder walk would skip it, but not a 0-byte one', async () => {
    expect(await items([at('README.md'), at(FILE_EMPTY)])).toEqual([
      { kind: 'log', name: 'README.md', nodeIp: null },
      { kind: 'skipped', name: FILE_EMPTY, reason: 'empty_object' },
    ]);
  });

  it('reads stdin for -, gzip or plain', async () => {
    expect(await items(['-'])).toEqual([{ kind: 'log', name: '-', nodeIp: null }]);
    const stdin = new PassThrough();
    stdin.end(gzipSync(sampleText(2, 40)));
    const { records } = await read(['-'], stdin);
    expect(records).toEqual([
      ['-', 1, 1040],
      ['-', 2, 1041],
    ]);
  });

  it('reports a missing path as PATH_NOT_FOUND and still reads the other paths', async () => {
    expect(await items([at('no/such/file.log'), at(FILE_A)])).toEqual([
      { kind: 'unread', name: 'no/such/file.log', code: 'PATH_NOT_FOUND' },
      { kind: 'log', name: FILE_A, nodeIp: '10.0.1.23' },
    ]);
    const { records, stats } = await read([at('no/such/file.log'), at(FILE_A)]);
    expect(records).toEqual([[FILE_A, 1, 1000]]);
    expect(stats.unread.map((e) => [e.code, e.source])).toEqual([['PATH_NOT_FOUND', at('no/such/file.log')]]);
  });

  it('reports a truncated .gz after the entries before the cut, then reads the next path', async () => {
    const gz = gzipSync(sampleText(3000));
    write('cut/truncated.log.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
    const { records, stats } = await read([at('cut/truncated.log.gz'), at(FILE_A)]);
    expect(stats.unread.map((e) => e.code)).toEqual(['TRUNCATED_GZIP']);
    const fromCut = records.filter(([file]) => file === 'cut/truncated.log.gz');
    expect(fromCut.length).toBeGreaterThan(100);
    expect(fromCut.length).toBeLessThan(3000);
    // Lines 1…k in order, each the k-th line of the original.
    expect(fromCut).toEqual(fromCut.map((_r, i) => ['cut/truncated.log.gz', i + 1, 1000 + i]));
    expect(records.at(-1)).toEqual([FILE_A, 1, 1000]);
  });

  it('reports corrupt gzip as BAD_GZIP', async () => {
    const gz = gzipSync(sampleText(50));
    gz[gz.length - 8] = gz[gz.length - 8]! ^ 0xff; // CRC
    write('bad/crc.log.gz', gz);
    const { stats } = await read([at('bad/crc.log.gz')]);
    expect(stats.unread.map((e) => [e.code, e.source])).toEqual([['BAD_GZIP', at('bad/crc.log.gz')]]);
  });
});

describe('the same data named twice is read once', () => {
  let dup: string;
  const inDup = (relative: string): string => path.join(dup, relative);

  beforeAll(() => {
    dup = mkdtempSync(path.join(tmpdir(), 'alb-doctor-dup-'));
    mkdirSync(inDup('logs/sub'), { recursive: true });
    writeFileSync(inDup('logs/a.log.gz'), gzipSync(sampleText(2, 0)));
    writeFileSync(inDup('logs/sub/b.log'), sampleText(1, 10));
    // A folder symlink that points back up the tree, and a second name for a file.
    symlinkSync('..', inDup('logs/sub/loop'));
    symlinkSync('a.log.gz', inDup('logs/z-link.log.gz'));
    linkSync(inDup('logs/sub/b.log'), inDup('hard-b.log'));
  });

  afterAll(() => {
    if (dup) rmSync(dup, { recursive: true, force: true });
  });

  /** Every target through openSources, as the CLI reads them. */
  async function readTargets(targets: string[]) {
    const records: [string, number, number | null][] = [];
    const stats = await readInput(openSources(targets, { stdin: emptyStdin() }), {
      onEntry(entry, object, lineNumber) {
        records.push([path.relative(dup, object.name), lineNumber, entry.toRecord(object.name, lineNumber).client_port ?? null]);
      },
    });
    const skipped = stats.skipped.map((s) => [path.relative(dup, s.name), s.reason]);
    return { records, stats, skipped };
  }

  it('a folder named twice: its entries once, the second naming skipped as duplicate', async () => {
    const { records, stats, skipped } = await readTargets([inDup('logs'), inDup('logs')]);
    expect(records).toEqual([
      ['logs/a.log.gz', 1, 1000],
      ['logs/a.log.gz', 2, 1001],
      ['logs/sub/b.log', 1, 1010],
    ]);
    expect(stats.files).toBe(2);
    expect(stats.skippedByReason).toEqual({ duplicate: 3 });
    // The loop back up, the symlinked file, and the folder named again.
    expect(skipped).toEqual([
      ['logs/sub/loop', 'duplicate'],
      ['logs/z-link.log.gz', 'duplicate'],
      ['logs', 'duplicate'],
    ]);
  });

  it('other spellings of the same path (a/../a, a trailing slash, a file inside a folder already read)', async () => {
    const { records, stats } = await readTargets([inDup('logs/sub/b.log'), inDup('logs/../logs'), inDup('logs/sub/../sub/'), inDup('hard-b.log')]);
    expect(records).toEqual([
      ['logs/sub/b.log', 1, 1010],
      ['logs/a.log.gz', 1, 1000],
      ['logs/a.log.gz', 2, 1001],
    ]);
    expect(stats.entries).toBe(3);
    // b.log in the walk, the loop, the symlinked a, the sub folder named again, the hard link.
    expect(stats.skippedByReason).toEqual({ duplicate: 5 });
  });

  it('a folder symlink loop ends the walk instead of reading the same files again', async () => {
    const { records } = await readTargets([inDup('logs/sub/loop')]);
    // loop → logs: a.log.gz (its symlink is the same file), sub/b.log, and sub/loop is logs again.
    expect(records.map(([file, line]) => `${file}:${line}`)).toEqual(['logs/sub/loop/a.log.gz:1', 'logs/sub/loop/a.log.gz:2', 'logs/sub/loop/sub/b.log:1']);
  });
});

// chmod 000 does not stop root: find out whether this run can make a file unreadable at all.
function canMakeUnreadable(): boolean {
  const dir = mkdtempSync(path.join(tmpdir(), 'alb-doctor-perm-'));
  const probe = path.join(dir, 'probe');
  writeFileSync(probe, 'x');
  chmodSync(probe, 0o000);
  try {
    accessSync(probe, constants.R_OK);
    return false;
  } catch {
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const permissionsApply = canMakeUnreadable();

describe.skipIf(!permissionsApply)(
  permissionsApply ? 'unreadable paths' : 'unreadable paths — SKIPPED: running as a user chmod 000 does not stop (root)',
  () => {
    it('reports an unreadable file as PATH_UNREADABLE and still reads the other paths', async () => {
      write('locked/file.log', sampleText(1));
      chmodSync(at('locked/file.log'), 0o000);
      try {
        const { records, stats } = await read([at('locked/file.log'), at(FILE_A)]);
        expect(stats.unread.map((e) => [e.code, e.source])).toEqual([['PATH_UNREADABLE', at('locked/file.log')]]);
        expect(records).toEqual([[FILE_A, 1, 1000]]);
      } finally {
        chmodSync(at('locked/file.log'), 0o644);
      }
    });

    it('reports an unreadable folder as PATH_UNREADABLE', async () => {
      write('locked-dir/inner.log', sampleText(1));
      chmodSync(at('locked-dir'), 0o000);
      try {
        expect(await items([at('locked-dir'), at(FILE_A)])).toEqual([
          { kind: 'unread', name: 'locked-dir', code: 'PATH_UNREADABLE' },
          { kind: 'log', name: FILE_A, nodeIp: '10.0.1.23' },
        ]);
      } finally {
        chmodSync(at('locked-dir'), 0o755);
      }
    });
  },
);
