export {
  callsPerDayMatches,
  main,
  nothingSimulated,
  parseStartArguments,
  runSucceeded,
  type StartContext,
  type StartSettings,
} from './cli.js';
export { type DirectoryFaults, type DirectoryProcess, startDirectoryProcess } from './directory-process.js';
export { formatCallsPerDay, formatTable } from './report.js';
export {
  DELIVERY_STREAM_NAME,
  EXACT_UNIQUE_COUNT_LIMIT,
  LAMBDA_MEMORY_MB,
  type LiveOptions,
  LocalPipelineError,
  type LocalPipelineOptions,
  lambdaBundlePath,
  redactUrl,
  runLocalPipeline,
  uniqueCountTolerance,
} from './run-local-pipeline.js';
export type { CallsPerDayRow, LiveStatus, LocalPipelineReport } from './types.js';
