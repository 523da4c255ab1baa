// The local Elasticsearch node of ctr-stream: fetched from Maven Central with `mvn`, cached, started on
// 127.0.0.1 with a small heap. Used by `npm run es:*`, the vitest global setup and `npm start`.
// With OPENSEARCH_VERSION it is an OpenSearch node instead, fetched, cached, started and stopped the same way.
//
// Environment:
//   ELASTICSEARCH_URL  use that cluster; start nothing
//   ES_VERSION         the Elasticsearch version (default: newest that runs on the Java found here)
//   OPENSEARCH_VERSION run OpenSearch of that version instead of Elasticsearch, e.g. 2.19.6 (Java 11 to 23) or
//                      3.8.0 (Java 21+); not together with ES_VERSION. Maven artifact
//                      org.opensearch.distribution.integ-test-zip:opensearch, no security plugin; for 2.x
//                      the modules lang-painless and ingest-common (org.opensearch.plugin:*) are added
//   ES_PORT            the HTTP port (default 9200, or a free port when 9200 is taken)
//   ES_HEAP            JVM heap, e.g. 512m (default); OpenSearch too
//   ES_JAVA_HOME       the JDK to run it with (default: found under /usr/lib/jvm or JAVA_HOME); OpenSearch too
//   CTR_STREAM_CACHE_DIR  where downloads and the node's state live (default $XDG_CACHE_HOME/ctr-stream)
//   CTR_STREAM_RUNTIME_DIR  where the unpacked node, its data and logs live (default: in the cache dir, or
//                        /var/tmp/ctr-stream-elasticsearch as root, since Elasticsearch runs as `nobody` then)
// One local node at a time: a running node of the other distribution or of another asked-for version is an
// error naming the fix (npm run es:stop), never silently reused.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Newest versions served by Maven Central as integ-test zips, per Java major they need. */
export const DEFAULT_VERSIONS = { modern: '9.5.4', java17: '8.19.21' };
/** The OpenSearch version the repo's tests run against (`npm run test:opensearch`), named in fixes. */
export const TESTED_OPENSEARCH_VERSION = '2.19.6';
/**
 * The OpenSearch 3.x the repo's tests run against (`npm run test:opensearch3`, Java 21+), named in fixes: the
 * newest 3.x integ-test zip Maven Central serves (3.9.0 has none).
 */
export const TESTED_OPENSEARCH3_VERSION = '3.8.0';

/**
 * What differs between the two distributions: the Maven artifact, the names in the zip (`<name>-<version>/`,
 * `bin/<name>`), the variable that asks for a version, the settings and the launcher's environment.
 * Everything else (download, unpack, ports, state, start, stop) is shared.
 */
const DISTRIBUTIONS = {
  elasticsearch: {
    product: 'Elasticsearch',
    name: 'elasticsearch',
    artifact: 'org.elasticsearch.distribution.integ-test-zip:elasticsearch',
    versionVariable: 'ES_VERSION',
    settings: ['xpack.security.enabled=false'],
    launcherEnvironment: ({ javaHome, tmpDir, heap }) => ({
      ES_JAVA_HOME: javaHome,
      ES_TMPDIR: tmpDir,
      ES_JAVA_OPTS: `-Xms${heap} -Xmx${heap}`,
    }),
  },
  opensearch: {
    product: 'OpenSearch',
    name: 'opensearch',
    artifact: 'org.opensearch.distribution.integ-test-zip:opensearch',
    versionVariable: 'OPENSEARCH_VERSION',
    // The integ-test zip has no security plugin: no setting to turn it off (an unknown setting stops the node).
    settings: [],
    launcherEnvironment: ({ javaHome, tmpDir, heap }) => ({
      OPENSEARCH_JAVA_HOME: javaHome,
      OPENSEARCH_TMPDIR: tmpDir,
      OPENSEARCH_JAVA_OPTS: `-Xms${heap} -Xmx${heap}`,
    }),
  },
};

/** `Elasticsearch` or `OpenSearch`, for messages (a state file without a distribution is Elasticsearch). */
export function productName(distribution) {
  return (DISTRIBUTIONS[distribution] ?? DISTRIBUTIONS.elasticsearch).product;
}

/**
 * The names of a version's files in the cache and the runtime dir: Elasticsearch keeps its historic
 * `data-9.5.4`, OpenSearch gets `data-opensearch-2.19.6`, so the two never share a directory.
 */
function runtimeLabel(distribution, version) {
  return distribution === 'opensearch' ? `opensearch-${version}` : version;
}

const OPENSEARCH_VERSION_PATTERN = /^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/;

/**
 * The node the environment asks for: OpenSearch when OPENSEARCH_VERSION is set, else Elasticsearch
 * (of ES_VERSION, or the default version for the Java found). `version` is undefined when none was asked.
 */
export function requestedNode() {
  const openSearchVersion = process.env.OPENSEARCH_VERSION;
  if (!openSearchVersion)
    return { distribution: 'elasticsearch', version: process.env.ES_VERSION || undefined };
  if (process.env.ES_VERSION) {
    throw new ElasticsearchSetupError(
      `ES_VERSION=${process.env.ES_VERSION} and OPENSEARCH_VERSION=${openSearchVersion} are both set: unset ES_VERSION to run OpenSearch, or OPENSEARCH_VERSION to run Elasticsearch`,
    );
  }
  if (!OPENSEARCH_VERSION_PATTERN.test(openSearchVersion)) {
    throw new ElasticsearchSetupError(
      `OPENSEARCH_VERSION must be a version such as ${TESTED_OPENSEARCH_VERSION} (got ${JSON.stringify(openSearchVersion.slice(0, 40))}): fix it, or unset OPENSEARCH_VERSION to run Elasticsearch`,
    );
  }
  return { distribution: 'opensearch', version: openSearchVersion };
}

const UNPRIVILEGED_USER = 'nobody';
/** ES_START_TIMEOUT_MS, a whole number of milliseconds (anything else is refused when a node is started). */
const START_TIMEOUT_MS = /^\d+$/.test(process.env.ES_START_TIMEOUT_MS ?? '')
  ? Number(process.env.ES_START_TIMEOUT_MS)
  : 240_000;

export class ElasticsearchSetupError extends Error {
  constructor(message, { logPath } = {}) {
    super(logPath ? `${message} (log: ${logPath})` : message);
    this.name = 'ElasticsearchSetupError';
    this.logPath = logPath;
  }
}

const defaultCacheDir = () => join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'ctr-stream');

export function cacheDir() {
  const base = process.env.CTR_STREAM_CACHE_DIR ?? defaultCacheDir();
  mkdirSync(base, { recursive: true });
  return base;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Where the unpacked node, its data and its logs live. As root, somewhere the unprivileged user can use: one
 * directory per cache, since each cache's state file tracks a node of its own, and two nodes cannot share data.
 */
function runtimeDir() {
  const cache = cacheDir();
  const rootDir =
    resolve(cache) === resolve(defaultCacheDir())
      ? '/var/tmp/ctr-stream-elasticsearch'
      : `/var/tmp/ctr-stream-elasticsearch-${createHash('sha256').update(resolve(cache)).digest('hex').slice(0, 12)}`;
  const dir = process.env.CTR_STREAM_RUNTIME_DIR ?? (isRoot() ? rootDir : join(cache, 'elasticsearch'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

const stateFile = () => join(cacheDir(), 'elasticsearch-node.json');

/**
 * Where the processes that use the node (test runs) record it: one file each, named `<pid>-<n>`, holding the
 * process's start time so that a pid reused after a crash is not taken for a user.
 */
const leaseDir = () => join(cacheDir(), 'elasticsearch-leases');
let leaseCount = 0;

/** The start time of process `pid` (from /proc; '' where there is none), telling a reused pid apart. */
function processStartTime(pid) {
  // Field 22 of /proc/<pid>/stat, counted after the command name, which may hold spaces and parentheses.
  const stat = readFileSafe(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

/** Records this process as a user of the node until releaseElasticsearch; returns the lease's name. */
function takeLease() {
  mkdirSync(leaseDir(), { recursive: true });
  leaseCount += 1;
  const name = `${process.pid}-${leaseCount}`;
  writeFileSync(join(leaseDir(), name), processStartTime(process.pid));
  return name;
}

/** The pids that hold a lease (this one too, for its other leases); the leases of processes gone are removed. */
function leaseHolders() {
  const holders = new Set();
  for (const name of existsSync(leaseDir()) ? readdirSync(leaseDir()) : []) {
    const pid = Number(name.split('-')[0]);
    const live =
      pid > 0 && processAlive(pid) && readFileSafe(join(leaseDir(), name)) === processStartTime(pid);
    if (live) holders.add(pid);
    else rmSync(join(leaseDir(), name), { force: true });
  }
  return [...holders];
}

/** Records the node's state (what es:status, es:stop and the next start read). */
function writeState(state) {
  writeFileSync(stateFile(), `${JSON.stringify(state, null, 2)}\n`);
}

function readState() {
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8'));
  } catch {
    return undefined;
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the cluster at `url` is not usable (a short reason), or undefined when its health is green or yellow.
 * Credentials in the URL (`http://user:password@host:9200`) go in an Authorization header: fetch refuses
 * URLs that carry them.
 */
/** The cluster name the nodes this script starts carry: another server on the port is not taken for one. */
const CLUSTER_NAME = 'ctr-stream';

async function clusterProblem(url, timeoutMs = 2_000, clusterName = undefined) {
  try {
    const target = new URL('/_cluster/health', url);
    const headers = {};
    if (target.username || target.password) {
      const user = decodeURIComponent(target.username);
      const password = decodeURIComponent(target.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
      target.username = '';
      target.password = '';
    }
    const response = await fetch(target, { headers, signal: AbortSignal.timeout(timeoutMs) });
    if (response.status === 401 || response.status === 403) {
      return `answers ${response.status}: check the user and password in the URL`;
    }
    if (!response.ok) return `answers ${response.status}`;
    const health = await response.json();
    if (clusterName !== undefined && health.cluster_name !== clusterName) {
      return `is another cluster (${String(health.cluster_name)})`;
    }
    if (health.status === 'green' || health.status === 'yellow') return undefined;
    return `reports health ${health.status}`;
  } catch (error) {
    return error?.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : 'no answer';
  }
}

async function clusterAnswers(url, timeoutMs, clusterName) {
  return (await clusterProblem(url, timeoutMs, clusterName)) === undefined;
}

/** The ELASTICSEARCH_URL problem a user can fix before anything is tried, or undefined. */
export function elasticsearchUrlProblem(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return 'ELASTICSEARCH_URL is not a URL: write it with its scheme, e.g. http://127.0.0.1:9200';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    // The example keeps the host and port, never a user or password written before an @.
    const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/^[^/?#]*@/, '***@');
    return `ELASTICSEARCH_URL must be an http:// or https:// URL, e.g. http://${rest}`;
  }
  return undefined;
}

function javaMajor(javaHome) {
  const java = join(javaHome, 'bin', 'java');
  if (!existsSync(java)) return undefined;
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}

/** Every JDK we can find, newest first: ES_JAVA_HOME, JAVA_HOME, then /usr/lib/jvm. */
export function findJdks() {
  const candidates = [process.env.ES_JAVA_HOME, process.env.JAVA_HOME];
  if (existsSync('/usr/lib/jvm')) {
    for (const name of readdirSync('/usr/lib/jvm')) candidates.push(join('/usr/lib/jvm', name));
  }
  const seen = new Set();
  const jdks = [];
  for (const home of candidates) {
    if (!home || seen.has(home)) continue;
    seen.add(home);
    const major = javaMajor(home);
    if (major) jdks.push({ home, major });
  }
  return jdks.sort((a, b) => b.major - a.major);
}

function requiredJava(version) {
  return Number(version.split('.')[0]) >= 9 ? 21 : 17;
}

/**
 * The Java majors an OpenSearch version runs on: 1.x and 2.x run under the Security Manager, which Java 24
 * removed (JEP 486), so they need 11 to 23; 3.x replaced it with its own Java agent (`agent/opensearch-agent.jar`
 * in its jvm.options) and needs 21 or newer (3.8.0 is tested on 25).
 */
function openSearchJava(version) {
  return Number(version.split('.')[0]) >= 3 ? { minimum: 21 } : { minimum: 11, below: 24 };
}

/** Picks the OpenSearch JDK: ES_JAVA_HOME when given, else the oldest JDK in range (2.x is tested on 17). */
function chooseOpenSearchJdk(version, jdks) {
  const { minimum, below } = openSearchJava(version);
  const preferred = process.env.ES_JAVA_HOME
    ? jdks.find((jdk) => jdk.home === process.env.ES_JAVA_HOME)
    : undefined;
  const fits = (jdk) => jdk.major >= minimum && (below === undefined || jdk.major < below);
  const jdk = preferred ?? [...jdks].reverse().find(fits);
  if (jdk && fits(jdk))
    return { distribution: 'opensearch', version, javaHome: jdk.home, javaMajor: jdk.major };
  const found = preferred
    ? `ES_JAVA_HOME is Java ${preferred.major}`
    : `the JDKs here are Java ${[...new Set(jdks.map((candidate) => candidate.major))].join(', ')}`;
  if (below !== undefined && (preferred ?? jdks[0]).major >= below) {
    throw new ElasticsearchSetupError(
      `OpenSearch ${version} needs Java ${minimum} to ${below - 1} (it runs under the Security Manager, which Java ${below} removed), but ${found}: install a JDK 17 or 21 (apt-get install openjdk-17-jdk-headless) and set ES_JAVA_HOME to it, or pick OPENSEARCH_VERSION=${TESTED_OPENSEARCH3_VERSION} (Java 21+)`,
    );
  }
  throw new ElasticsearchSetupError(
    `OpenSearch ${version} needs Java ${minimum}+, but ${found}: install one, set ES_JAVA_HOME, or pick OPENSEARCH_VERSION=${TESTED_OPENSEARCH_VERSION}`,
  );
}

/**
 * Picks the distribution and version (OPENSEARCH_VERSION, ES_VERSION, or the default Elasticsearch for the
 * Java found) and the JDK to run it with.
 */
export function chooseVersion() {
  const jdks = findJdks();
  const requested = requestedNode();
  const explicit = process.env.ES_VERSION;
  if (process.env.ES_JAVA_HOME && !jdks.some((jdk) => jdk.home === process.env.ES_JAVA_HOME)) {
    throw new ElasticsearchSetupError(
      `ES_JAVA_HOME=${process.env.ES_JAVA_HOME} holds no working JDK: point it at a JDK 17+ home`,
    );
  }
  if (jdks.length === 0 || jdks[0].major < 17) {
    throw new ElasticsearchSetupError(
      'No Java 17 or newer found: install a JDK (apt-get install openjdk-17-jdk-headless), set ES_JAVA_HOME, or set ELASTICSEARCH_URL to an existing cluster',
    );
  }
  if (requested.distribution === 'opensearch') return chooseOpenSearchJdk(requested.version, jdks);
  // Prefer the explicit ES_JAVA_HOME, then the oldest JDK that is new enough (8.x is tested on 17). Without
  // ES_VERSION the version follows the JDK that will run it: ES_JAVA_HOME's, else the newest here.
  const preferred = process.env.ES_JAVA_HOME
    ? jdks.find((jdk) => jdk.home === process.env.ES_JAVA_HOME)
    : undefined;
  const runner = preferred ?? jdks[0];
  const version = explicit ?? (runner.major >= 21 ? DEFAULT_VERSIONS.modern : DEFAULT_VERSIONS.java17);
  const needed = requiredJava(version);
  const jdk =
    preferred ??
    [...jdks]
      .reverse()
      .find((candidate) => candidate.major >= needed && (needed >= 21 || candidate.major < 25));
  if (!jdk || jdk.major < needed) {
    throw new ElasticsearchSetupError(
      preferred
        ? `Elasticsearch ${version} needs Java ${needed}+, but ES_JAVA_HOME=${preferred.home} is Java ${preferred.major}: point it at a newer JDK, unset it, or pick ES_VERSION=${DEFAULT_VERSIONS.java17}`
        : `Elasticsearch ${version} needs Java ${needed}+, but the newest JDK here is ${jdks[0].major}: install one, set ES_JAVA_HOME, or pick ES_VERSION=${DEFAULT_VERSIONS.java17}`,
    );
  }
  return { distribution: 'elasticsearch', version, javaHome: jdk.home, javaMajor: jdk.major };
}

function commandExists(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/**
 * Runs mvn, quiet and in batch mode, on the cache's own Maven repository; its output goes to `logPath`. Returns
 * its exit status. Throws when there is no mvn.
 */
function runMaven(args, logPath) {
  if (!commandExists('mvn')) {
    throw new ElasticsearchSetupError(
      'Maven (mvn) not found: install it (apt-get install maven) or set ELASTICSEARCH_URL to an existing cluster',
    );
  }
  const result = spawnSync('mvn', ['-B', '-q', `-Dmaven.repo.local=${join(cacheDir(), 'm2')}`, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  writeFileSync(logPath, `${result.stdout ?? ''}${result.stderr ?? ''}`);
  return result.status;
}

/** Downloads the integ-test zip once into the cache's own Maven repository and returns its path. */
export function fetchDistribution(version, log = console.error, distribution = 'elasticsearch') {
  const { product, name, artifact, versionVariable } = DISTRIBUTIONS[distribution];
  const repo = join(cacheDir(), 'm2');
  const [groupId, artifactId] = artifact.split(':');
  const zip = join(repo, ...groupId.split('.'), artifactId, version, `${name}-${version}.zip`);
  if (existsSync(zip)) return zip;
  log(`Downloading ${product} ${version} (${artifact}, zip) from Maven Central with mvn...`);
  const mvnLog = join(cacheDir(), `mvn-${name}-${version}.log`);
  const status = runMaven(
    ['dependency:get', `-Dartifact=${artifact}:${version}:zip`, '-Dtransitive=false'],
    mvnLog,
  );
  if (status !== 0 || !existsSync(zip)) {
    throw new ElasticsearchSetupError(
      `Download of ${product} ${version} from Maven Central failed (mvn exit ${status}): check the network or ${versionVariable}`,
      { logPath: mvnLog },
    );
  }
  return zip;
}

/**
 * The modules behind the `script` ingest processor, which Amazon OpenSearch Service domains have and the
 * OpenSearch 2.x integ-test zip leaves out (3.x zips carry them). Maven Central has each as a jar with a POM,
 * without the descriptor and policy a distribution adds: those are written here as 2.19's build writes them.
 */
const OPENSEARCH_SCRIPT_MODULES = [
  {
    name: 'lang-painless',
    description: 'An easy, safe and fast scripting language for OpenSearch',
    classname: 'org.opensearch.painless.PainlessPlugin',
    extendedPlugins: [],
    // 2.x runs modules under the Security Manager, and Painless compiles each script into a class of its own.
    securityPolicy: [
      'grant {',
      '  // needed to generate runtime classes',
      '  permission java.lang.RuntimePermission "createClassLoader";',
      '',
      '  // needed to find the classloader to load allowlisted classes from',
      '  permission java.lang.RuntimePermission "getClassLoader";',
      '};',
      '',
    ].join('\n'),
  },
  {
    name: 'ingest-common',
    description:
      'Module for ingest processors that do not require additional security permissions or have large dependencies and resources',
    classname: 'org.opensearch.ingest.common.IngestCommonPlugin',
    // Its Painless allowlist (a PainlessExtension service) is only found through lang-painless's class loader.
    extendedPlugins: ['lang-painless'],
  },
];

/** The modules OpenSearch `version` gets on top of its integ-test zip, in load order (none for Elasticsearch). */
export function addedModules(distribution, version) {
  if (distribution !== 'opensearch' || version.split('.')[0] !== '2') return [];
  return OPENSEARCH_SCRIPT_MODULES;
}

/** `plugin-descriptor.properties` of an added module, with the fields of 2.x's own (transport-netty4's). */
export function moduleDescriptor(module, version) {
  return [
    '# Written by ctr-stream scripts/elasticsearch.mjs, as the OpenSearch build writes it into a distribution.',
    `description=${module.description}`,
    `version=${version}`,
    `name=${module.name}`,
    `classname=${module.classname}`,
    'java.version=11',
    `opensearch.version=${version}`,
    'custom.foldername=',
    `extended.plugins=${module.extendedPlugins.join(',')}`,
    'has.native.controller=false',
    '',
  ].join('\n');
}

/**
 * A POM whose runtime dependencies are the module's jar and those it ships with. The server (and what it
 * pulls in) is already in the node's lib/, so it is excluded: a second copy would fail the node's jar-hell check.
 */
export function modulePom(module, version) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ctr-stream.local</groupId>
  <artifactId>opensearch-module-${module.name}</artifactId>
  <version>${version}</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.opensearch.plugin</groupId>
      <artifactId>${module.name}</artifactId>
      <version>${version}</version>
      <exclusions>
        <exclusion>
          <groupId>org.opensearch</groupId>
          <artifactId>opensearch</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
  </dependencies>
</project>
`;
}

/**
 * Downloads each module once with mvn into the cache's Maven repository and lays it out as a module directory
 * in the cache (`opensearch-modules/<version>/<name>`); a module laid out before needs no mvn.
 */
function fetchModules(version, modules, log) {
  const prepared = join(cacheDir(), 'opensearch-modules', version);
  for (const module of modules) {
    const dir = join(prepared, module.name);
    if (existsSync(join(dir, 'plugin-descriptor.properties'))) continue;
    log(
      `Downloading OpenSearch ${version} module ${module.name} (org.opensearch.plugin:${module.name}:${version} and the jars it ships with) from Maven Central with mvn...`,
    );
    const staging = join(prepared, `.${module.name}-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    try {
      writeFileSync(join(staging, 'pom.xml'), modulePom(module, version));
      const out = join(staging, module.name);
      const mvnLog = join(cacheDir(), `mvn-opensearch-${version}-${module.name}.log`);
      const status = runMaven(
        [
          '-f',
          join(staging, 'pom.xml'),
          'dependency:copy-dependencies',
          '-DincludeScope=runtime',
          `-DoutputDirectory=${out}`,
        ],
        mvnLog,
      );
      if (status !== 0 || !existsSync(join(out, `${module.name}-${version}.jar`))) {
        throw new ElasticsearchSetupError(
          `Download of OpenSearch ${version} module ${module.name} (org.opensearch.plugin:${module.name}:${version}) from Maven Central failed (mvn exit ${status}): check the network`,
          { logPath: mvnLog },
        );
      }
      writeFileSync(join(out, 'plugin-descriptor.properties'), moduleDescriptor(module, version));
      if (module.securityPolicy) writeFileSync(join(out, 'plugin-security.policy'), module.securityPolicy);
      rmSync(dir, { recursive: true, force: true });
      renameSync(out, dir);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return prepared;
}

/**
 * Puts the added modules the unpacked node lacks into its `modules/`, so that a node unpacked before they were
 * added gets them too. Each is copied beside the home and renamed into place: the node takes every directory
 * in `modules/` for a module, a half-copied one included.
 */
function installModules(home, version, distribution, log) {
  const missing = addedModules(distribution, version).filter(
    (module) => !existsSync(join(home, 'modules', module.name, 'plugin-descriptor.properties')),
  );
  if (missing.length === 0) return;
  const prepared = fetchModules(version, missing, log);
  mkdirSync(join(home, 'modules'), { recursive: true });
  for (const module of missing) {
    const target = join(home, 'modules', module.name);
    const staging = join(
      runtimeDir(),
      `.module-${runtimeLabel(distribution, version)}-${module.name}-${process.pid}`,
    );
    rmSync(staging, { recursive: true, force: true });
    try {
      cpSync(join(prepared, module.name), staging, { recursive: true });
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
    } finally {
      rmSync(staging, { recursive: true, force: true });
    }
  }
}

function ownByUnprivileged(path) {
  if (isRoot()) execFileSync('chown', ['-R', `${UNPRIVILEGED_USER}:`, path]);
}

/** Unpacks the zip once into the runtime dir; returns the node's home (`<name>-<version>`, as in the zip). */
function install(version, zip, distribution = 'elasticsearch') {
  const { product, name } = DISTRIBUTIONS[distribution];
  const home = join(runtimeDir(), `${name}-${version}`);
  if (existsSync(join(home, 'bin', name))) return home;
  const tool = commandExists('unzip') ? 'unzip' : commandExists('jar') ? 'jar' : undefined;
  if (!tool) {
    throw new ElasticsearchSetupError(
      `Neither unzip nor jar found to unpack ${product}: install unzip (apt-get install unzip)`,
    );
  }
  const staging = join(runtimeDir(), `.unpack-${runtimeLabel(distribution, version)}-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const unpacked =
      tool === 'unzip'
        ? spawnSync('unzip', ['-q', '-o', zip, '-d', staging])
        : spawnSync('jar', ['xf', zip], { cwd: staging });
    if (unpacked.status !== 0) {
      throw new ElasticsearchSetupError(
        `Could not unpack ${zip} (${tool} exit ${unpacked.status}): delete that file and run es:start again`,
      );
    }
    spawnSync('chmod', ['-R', 'u+x', join(staging, `${name}-${version}`, 'bin')]);
    // A home without its launcher is damaged (an unpack cut short, files removed by a cleaner of old files): it is
    // replaced, never reused.
    if (existsSync(home)) rmSync(home, { recursive: true, force: true });
    try {
      renameSync(join(staging, `${name}-${version}`), home);
    } catch (error) {
      // Another start unpacked the same version first: use its copy.
      if (!existsSync(join(home, 'bin', name))) {
        throw new ElasticsearchSetupError(
          `Could not put ${product} ${version} in place at ${home} (${error.code ?? error.message}): delete that directory and run es:start again`,
        );
      }
    }
    return home;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function portFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function choosePort() {
  if (process.env.ES_PORT) {
    const port = Number(process.env.ES_PORT);
    if (!/^\d+$/.test(process.env.ES_PORT.trim()) || port < 1 || port > 65_535) {
      throw new ElasticsearchSetupError(
        `ES_PORT must be a port number from 1 to 65535 (got "${process.env.ES_PORT}"): fix it, or unset ES_PORT to use 9200 or a free port`,
      );
    }
    if (!(await portFree(port))) {
      throw new ElasticsearchSetupError(
        `Port ${port} (ES_PORT) is in use on 127.0.0.1: free it, or unset ES_PORT to use a free port`,
      );
    }
    return port;
  }
  return (await portFree(9200)) ? 9200 : freePort();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Serialises concurrent starts (nx runs test targets in parallel). */
async function withLock(action) {
  const lock = join(cacheDir(), 'elasticsearch.lock');
  const owner = join(lock, 'owner');
  const deadline = Date.now() + START_TIMEOUT_MS + 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch {
      // The lock names its owner: a lock whose owner died (a crashed or interrupted start) is broken at once.
      const ownerPid = Number(readFileSafe(owner));
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if ((ownerPid > 0 && !processAlive(ownerPid)) || (!ownerPid && age > 10_000)) {
        // Broken by renaming it away: of several waiters that saw the dead owner, one renames it, and the others'
        // rename fails instead of removing the lock the winner takes next.
        const stale = `${lock}.stale-${process.pid}-${Date.now()}`;
        try {
          renameSync(lock, stale);
          rmSync(stale, { recursive: true, force: true });
        } catch {
          // Another waiter broke it first.
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new ElasticsearchSetupError(
          `Timed out waiting for another es:start (pid ${ownerPid || '?'}, lock ${lock})`,
        );
      }
      await sleep(500);
    }
  }
  try {
    return await action();
  } finally {
    // Only our own lock: one broken as stale meanwhile may be another start's now.
    if (readFileSafe(owner) === String(process.pid)) rmSync(lock, { recursive: true, force: true });
  }
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/**
 * True when `pid` is still the node this script started (a pid can be reused after a crash or reboot):
 * its command line names the node's home (from /proc, or ps where there is none).
 */
function isOurNode(state) {
  if (!state?.pid || !processAlive(state.pid)) return false;
  const commandLine = existsSync('/proc/self/cmdline')
    ? readFileSafe(`/proc/${state.pid}/cmdline`).replaceAll('\0', ' ')
    : // macOS and the BSDs: ps tells the command line.
      (spawnSync('ps', ['-o', 'args=', '-p', String(state.pid)], { encoding: 'utf8' }).stdout ?? '');
  return commandLine.includes(state.home);
}

/**
 * The node recorded in the state file, if it is still ours and answers. A node that is ours but does not
 * answer yet (still starting, or recovering) is waited for rather than started a second time.
 */
export async function runningNode({ waitMs = 0 } = {}) {
  const state = readState();
  if (!state) return undefined;
  if (!isOurNode(state)) {
    rmSync(stateFile(), { force: true });
    return undefined;
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    // State files written before OpenSearch was supported name no distribution: they are Elasticsearch.
    if (await clusterAnswers(state.url)) return { distribution: 'elasticsearch', ...state };
    if (Date.now() >= deadline || !isOurNode(state)) return undefined;
    await sleep(500);
  }
}

/**
 * Why the running node is not the one asked for (a one-line error naming the fix), or undefined when it is.
 * Without a version asked for, any running Elasticsearch is reused, as before OpenSearch was supported.
 */
function mismatch(running, requested) {
  const runningProduct = productName(running.distribution);
  const stop = 'stop it first (npm run es:stop)';
  if (requested.distribution === 'elasticsearch' && running.distribution === 'elasticsearch') {
    if (!requested.version || running.version === requested.version) return undefined;
    return `Elasticsearch ${running.version} is running but ES_VERSION=${requested.version}: ${stop} or unset ES_VERSION`;
  }
  if (requested.distribution === 'opensearch' && running.distribution === 'opensearch') {
    if (running.version === requested.version) return undefined;
    return `OpenSearch ${running.version} is running but OPENSEARCH_VERSION=${requested.version}: ${stop} or set OPENSEARCH_VERSION=${running.version}`;
  }
  if (requested.distribution === 'opensearch') {
    return `${runningProduct} ${running.version} is running but OPENSEARCH_VERSION=${requested.version}: ${stop} or unset OPENSEARCH_VERSION`;
  }
  return requested.version
    ? `${runningProduct} ${running.version} is running but ES_VERSION=${requested.version}: ${stop} or unset ES_VERSION and set OPENSEARCH_VERSION=${running.version}`
    : `${runningProduct} ${running.version} is running but OPENSEARCH_VERSION is not set (Elasticsearch wanted): ${stop} or set OPENSEARCH_VERSION=${running.version}`;
}

/**
 * Starts the local node (Elasticsearch, or OpenSearch with OPENSEARCH_VERSION), or reuses the running one,
 * or uses ELASTICSEARCH_URL.
 * @returns {Promise<{url: string, started: boolean, distribution?: 'elasticsearch' | 'opensearch', version?: string, logPath?: string, external?: boolean}>}
 */
export async function startElasticsearch({ log = console.error, lease = false } = {}) {
  if (process.env.ELASTICSEARCH_URL) {
    const url = process.env.ELASTICSEARCH_URL;
    const urlProblem = elasticsearchUrlProblem(url);
    if (urlProblem !== undefined) throw new ElasticsearchSetupError(urlProblem);
    const problem = await clusterProblem(url, 10_000);
    if (problem !== undefined) {
      throw new ElasticsearchSetupError(
        `ELASTICSEARCH_URL=${redact(url)}: GET /_cluster/health ${problem}. Start that cluster, fix the URL, or unset ELASTICSEARCH_URL`,
      );
    }
    return { url, started: false, external: true };
  }
  const timeout = process.env.ES_START_TIMEOUT_MS;
  if (timeout !== undefined && timeout !== '' && !/^\d+$/.test(timeout)) {
    // `abc` would make every wait endless (Date.now() > NaN is never true).
    throw new ElasticsearchSetupError(
      `ES_START_TIMEOUT_MS must be a whole number of milliseconds such as 240000 (got ${JSON.stringify(timeout.slice(0, 40))}): fix it, or unset it`,
    );
  }
  const requested = requestedNode();
  return withLock(async () => {
    const running = await runningNode({ waitMs: readState() ? START_TIMEOUT_MS : 0 });
    if (!running && isOurNode(readState())) {
      const stuck = readState();
      throw new ElasticsearchSetupError(
        `${productName(stuck.distribution)} ${stuck.version} (pid ${stuck.pid}) is running but does not answer: read its log, or npm run es:stop`,
        { logPath: stuck.logPath },
      );
    }
    const refusal = running && mismatch(running, requested);
    if (refusal) throw new ElasticsearchSetupError(refusal, { logPath: running.logPath });
    if (running) {
      log(`Reusing ${productName(running.distribution)} ${running.version} (pid ${running.pid}).`);
      if (lease) return { ...running, started: false, lease: takeLease() };
      // es:start or npm start: someone relies on the node beyond a test run, so no test run's end stops it.
      const { stopWhenUnused: _, ...recorded } = running;
      writeState({ ...recorded, kept: true });
      return { ...running, started: false };
    }
    const { distribution, version, javaHome, javaMajor: major } = chooseVersion();
    const { product, name } = DISTRIBUTIONS[distribution];
    const port = await choosePort();
    const zip = fetchDistribution(version, log, distribution);
    const home = install(version, zip, distribution);
    installModules(home, version, distribution, log);
    const base = runtimeDir();
    const label = runtimeLabel(distribution, version);
    const dataDir = join(base, `data-${label}`);
    const logDir = join(base, `logs-${label}`);
    const tmpDir = join(base, `tmp-${label}`);
    for (const dir of [dataDir, logDir, tmpDir]) mkdirSync(dir, { recursive: true });
    ownByUnprivileged(home);
    for (const dir of [dataDir, logDir, tmpDir]) ownByUnprivileged(dir);
    const transportPort = await freePort();
    const consoleLog = join(logDir, 'console.log');
    const settings = [
      ...DISTRIBUTIONS[distribution].settings,
      'discovery.type=single-node',
      `cluster.name=${CLUSTER_NAME}`,
      'node.name=ctr-stream-local',
      'http.host=127.0.0.1',
      `http.port=${port}`,
      'transport.host=127.0.0.1',
      `transport.port=${transportPort}`,
      `path.data=${dataDir}`,
      `path.logs=${logDir}`,
      'cluster.routing.allocation.disk.threshold_enabled=false',
      'action.destructive_requires_name=false',
    ].map((setting) => `-E${setting}`);
    const command = isRoot()
      ? [
          'setpriv',
          [
            '--reuid',
            UNPRIVILEGED_USER,
            '--regid',
            'nogroup',
            '--clear-groups',
            join(home, 'bin', name),
            ...settings,
          ],
        ]
      : [join(home, 'bin', name), settings];
    const out = openSync(consoleLog, 'w');
    log(`Starting ${product} ${version} on 127.0.0.1:${port} with Java ${major}...`);
    const child = spawn(command[0], command[1], {
      cwd: home,
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        ...DISTRIBUTIONS[distribution].launcherEnvironment({
          javaHome,
          tmpDir,
          heap: process.env.ES_HEAP ?? '512m',
        }),
      },
    });
    closeSync(out);
    let exitCode;
    child.on('exit', (code) => {
      exitCode = code ?? -1;
    });
    child.unref();
    const url = `http://127.0.0.1:${port}`;
    const state = {
      pid: child.pid,
      url,
      distribution,
      version,
      home,
      dataDir,
      logPath: consoleLog,
      startedAt: new Date().toISOString(),
    };
    // Recorded at once, so that es:stop finds a node whose start was interrupted.
    writeState({ ...state, status: 'starting' });
    const abandon = () => {
      killGroup(child.pid, 'SIGKILL');
      rmSync(stateFile(), { force: true });
    };
    const onSignal = (signal) => {
      abandon();
      rmSync(join(cacheDir(), 'elasticsearch.lock'), { recursive: true, force: true });
      process.kill(process.pid, signal);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const deadline = Date.now() + START_TIMEOUT_MS;
      // Our node, not another server that took the port meanwhile (ours then exits, unable to bind it): the exit is
      // checked first, and the answer must carry our cluster name.
      for (;;) {
        if (exitCode === undefined && (await clusterAnswers(url, undefined, CLUSTER_NAME))) break;
        if (exitCode !== undefined) {
          abandon();
          throw new ElasticsearchSetupError(
            `${product} ${version} exited during start-up (code ${exitCode}): read the log`,
            { logPath: consoleLog },
          );
        }
        if (Date.now() > deadline) {
          abandon();
          throw new ElasticsearchSetupError(
            `${product} ${version} did not answer within ${START_TIMEOUT_MS / 1000}s: read the log`,
            { logPath: consoleLog },
          );
        }
        await sleep(500);
      }
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    writeState(state);
    return { ...state, started: true, ...(lease ? { lease: takeLease() } : {}) };
  });
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Ends the use of `node` that `startElasticsearch({ lease: true })` began. The node stops when a user started it
 * (this one, `node.started`, or one that ended while others still used it) and no other process still uses
 * it: a test run in another terminal or checkout keeps its node until its own end. A node that es:start or
 * npm start reused meanwhile is kept, and so is every node with `keep`.
 * Resolves true when it stopped the node.
 */
export async function releaseElasticsearch(node, { log = console.error, keep = false } = {}) {
  if (node.external || node.lease === undefined) return false;
  return withLock(async () => {
    rmSync(join(leaseDir(), node.lease), { force: true });
    const state = readState();
    if (!state || state.pid !== node.pid || !isOurNode(state) || state.kept) return false;
    if (!node.started && !state.stopWhenUnused) return false;
    const { stopWhenUnused: _, ...recorded } = state;
    if (keep) {
      writeState(recorded);
      return false;
    }
    const holders = leaseHolders();
    if (holders.length > 0) {
      writeState({ ...recorded, stopWhenUnused: true });
      // Another project of the same run is not news; another run is.
      const others = holders.filter((pid) => pid !== process.pid);
      if (others.length > 0)
        log(
          `Leaving ${productName(state.distribution)} ${state.version} running: pid ${others.join(', ')} still uses it, and the last to end stops it.`,
        );
      return false;
    }
    return stopElasticsearch({ log });
  });
}

/** Stops the node this script started, if any. */
export async function stopElasticsearch({ log = console.error } = {}) {
  const state = readState();
  if (!state || !isOurNode(state)) {
    rmSync(stateFile(), { force: true });
    log('No local Elasticsearch is running.');
    return false;
  }
  killGroup(state.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (processAlive(state.pid) && Date.now() < deadline) await sleep(250);
  if (processAlive(state.pid)) killGroup(state.pid, 'SIGKILL');
  rmSync(stateFile(), { force: true });
  log(`Stopped ${productName(state.distribution)} ${state.version} (pid ${state.pid}).`);
  return true;
}

/** Hides credentials in a URL before it is printed. */
export function redact(url) {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = '***';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '<invalid URL>';
  }
}
