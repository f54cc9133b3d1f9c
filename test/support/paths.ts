import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file is test/support/paths.ts). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Conformance lines collected from other projects; absent on a fresh clone. */
export const sharedConformanceDir = path.resolve(repoRoot, '../shared/conformance');

/** The permissively licensed subset, copied into the repository so every clone tests them. */
export const fixtureConformanceDir = path.join(repoRoot, 'test/fixtures/conformance');
