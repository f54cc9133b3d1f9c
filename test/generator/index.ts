// Public API of the test-data generator. Imports nothing from src/: it is the ground
// truth the analyzer is measured against.

export { simulate, type OutputOptions, type SimulationResult, type SimulatedFile } from './run.js';
export { writeScenario, type WriteOptions, type WriteSummary } from './write.js';
export {
  PRESETS,
  PRESET_NAMES,
  deepMerge,
  defineGroup,
  defineScenario,
  isPresetName,
  scenario,
  withOverrides,
  type PresetName,
  type ScenarioOverrides,
} from './scenarios.js';
export { Rng, type Seed } from './prng.js';
export { idleCloseMs, idleCloseRangeMs } from './servers.js';
export { INTERVAL_MS, intervalEndEpochMs, keyStamp } from './layout.js';
export * from './model.js';
