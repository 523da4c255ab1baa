export type { DirectoryEntries } from './directory-file.js';
export { loadDirectoryFile, parseDirectoryText } from './directory-file.js';
export type { DirectoryFault, DirectoryFaultRule } from './faults.js';
export { DIRECTORY_CLI_USAGE, runDirectoryCli } from './run-cli.js';
export type { DirectoryRequest, DirectoryServer, DirectoryServerOptions } from './server.js';
export { startDirectoryServer } from './server.js';
