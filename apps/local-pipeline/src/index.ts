export {
  callsPerDayMatches,
  main,
  parseStartArguments,
  runSucceeded,
  type StartContext,
  type StartSettings,
} from './cli.js';
export { type DirectoryFaults, type DirectoryProcess, startDirectoryProcess } from './directory-process.js';
export { formatCallsPerDay, formatTable } from './report.js';
export {
  DELIVERY_STREAM_NAME,
  LAMBDA_MEMORY_MB,
  LocalPipelineError,
  type LocalPipelineOptions,
  lambdaBundlePath,
  redactUrl,
  runLocalPipeline,
} from './run-local-pipeline.js';
export type { CallsPerDayRow, LocalPipelineReport } from './types.js';
