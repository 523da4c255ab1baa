import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { searchNode } from '../support/search-node.js';

const elasticsearchUrl = inject('elasticsearchUrl');
const elasticsearch = searchNode(elasticsearchUrl);
const appRoot = fileURLToPath(new URL('../..', import.meta.url));
const runner = join(appRoot, 'tests', 'support', 'start-runner.mjs');
const indices: string[] = [];
let workRoot: string;

/** The runner imports the built app: build it when dist is missing or older than a source file. */
function ensureBuilt(): void {
  const built = join(appRoot, 'dist', 'index.js');
  const sources = join(appRoot, 'src');
  const newest = Math.max(...readdirSync(sources).map((file) => statSync(join(sources, file)).mtimeMs));
  if (!existsSync(built) || statSync(built).mtimeMs < newest)
    execFileSync('npx', ['tsup'], { cwd: appRoot, stdio: 'ignore' });
}

/** Processes whose command line mentions `text` (the work directory: the caller directory's file is in it). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/**
 * npm start --live in a process group of its own, as a terminal runs it: Ctrl-C reaches the whole group. The
 * simulated days end now (local days up to today): three of them hold contacts whatever the day of the week.
 */
function startLive(
  label: string,
  history = ['--days', '3', '--contacts-per-day', '100'],
): {
  run: Run;
  workDirectory: string;
} {
  const index = `connect-e2e-signals-${label}-${process.pid}-${Date.now()}`;
  indices.push(index);
  const workDirectory = join(workRoot, label);
  const child = spawn(
    process.execPath,
    [runner, elasticsearchUrl, workDirectory, ...history, '--index', index, '--live'],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { run: { child, stdout: () => stdout, stderr: () => stderr, exit }, workDirectory };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A second key press, not the first one passed on by npm (within 100 ms, which npm start takes for the same). */
const SECOND_PRESS_MS = 150;

/** Ctrl-C in a terminal: SIGINT to every process of the foreground group. */
function controlC(run: Run): void {
  process.kill(-run.child.pid!, 'SIGINT');
}

beforeAll(async () => {
  ensureBuilt();
  workRoot = await mkdtemp(join(tmpdir(), 'local-pipeline-signals-'));
});

afterAll(async () => {
  await elasticsearch.removeInstalledIndices(indices);
  await rm(workRoot, { recursive: true, force: true });
});

/** The directory as npm start starts it, under a runner in a process group of its own (a terminal's). */
async function startDirectoryUnderRunner(label: string, ownGroup: boolean) {
  const workDirectory = join(workRoot, label);
  const file = join(workDirectory, 'callers.csv');
  await mkdir(workDirectory, { recursive: true });
  await writeFile(file, 'phone,name\n+61255501234,Ada Lovelace\n');
  const child = spawn(
    process.execPath,
    [join(appRoot, 'tests', 'support', 'directory-runner.mjs'), file, ...(ownGroup ? ['own-group'] : [])],
    { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  const exit = new Promise((resolve) => child.once('exit', resolve));
  await waitFor(() => stdout.includes('directory http'), 'the directory');
  const baseUrl = /directory (\S+)/.exec(stdout)![1]!;
  const controlC = async () => {
    process.kill(-child.pid!, 'SIGINT');
    await waitFor(() => stdout.includes('SIGINT taken'), 'the SIGINT');
    // Time for a directory that took the SIGINT to close its server and exit.
    await new Promise((resolve) => setTimeout(resolve, 500));
  };
  const lookUp = () => fetch(`${baseUrl}${encodeURIComponent('+61255501234')}`);
  const end = async () => {
    process.kill(child.pid!, 'SIGTERM');
    await exit;
    await waitFor(() => processesMentioning(file).length === 0, 'the directory to end', 10_000);
  };
  return { controlC, lookUp, end };
}

describe('the caller directory of npm start and Ctrl-C', () => {
  test('in a group of its own (--live), a Ctrl-C to the group does not end it; the exit of npm start does', async () => {
    const directory = await startDirectoryUnderRunner('own-group', true);
    await directory.controlC();
    const answer = await directory.lookUp();
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('Ada Lovelace');
    await directory.end();
  });

  test('otherwise it ends with the group, as it always did', async () => {
    const directory = await startDirectoryUnderRunner('same-group', false);
    await directory.controlC();
    await expect(directory.lookUp()).rejects.toThrow('fetch failed');
    await directory.end();
  });
});

describe('npm start --live and Ctrl-C, in a process group as a terminal runs it', () => {
  test('the first Ctrl-C delivers what is in flight and prints the report; nothing is left running', async () => {
    const { run, workDirectory } = startLive('once');
    await waitFor(() => run.stderr().includes('Live traffic from'), 'the live phase');
    // The caller directory (its own process) is running, with the run's file.
    expect(processesMentioning(workDirectory).length).toBeGreaterThan(0);
    controlC(run);
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toContain(
      'Stopping: the records in flight are delivered, then the report is printed',
    );
    expect(run.stderr()).toMatch(/Live: sent \d+ records \(0 failed\) in [\d.]+ s; stopped\./);
    expect(run.stdout()).toContain("Calls per day matches the simulator's ground truth");
    expect(run.stdout()).toMatch(/lookup failed \(delivered without a name\)\s+0\n/);
    expect(processesMentioning(workDirectory)).toEqual([]);
  }, 180_000);

  test('one Ctrl-C that reaches it twice at once (from the terminal, and passed on by npm) is one Ctrl-C', async () => {
    const { run, workDirectory } = startLive('passed-on');
    await waitFor(() => run.stderr().includes('Live traffic from'), 'the live phase');
    controlC(run);
    process.kill(run.child.pid!, 'SIGINT'); // what npm passes on to the node it runs with exec
    expect(await run.exit).toBe(0);
    expect(run.stderr().match(/Stopping:/g)).toHaveLength(1);
    expect(run.stdout()).toContain("Calls per day matches the simulator's ground truth");
    expect(processesMentioning(workDirectory)).toEqual([]);
  }, 180_000);

  test('a closed terminal (SIGHUP) quits at once with exit code 129, and takes the directory with it', async () => {
    const { run, workDirectory } = startLive('hangup');
    await waitFor(() => run.stderr().includes('Live traffic from'), 'the live phase');
    expect(processesMentioning(workDirectory).length).toBeGreaterThan(0);
    process.kill(run.child.pid!, 'SIGHUP');
    expect(await run.exit).toBe(129);
    await waitFor(() => processesMentioning(workDirectory).length === 0, 'the directory to end', 10_000);
  }, 180_000);

  test('a second Ctrl-C quits at once with exit code 130, and takes the directory with it', async () => {
    const { run, workDirectory } = startLive('twice');
    await waitFor(() => run.stderr().includes('Live traffic from'), 'the live phase');
    controlC(run);
    await waitFor(() => run.stderr().includes('Stopping:'), 'the first Ctrl-C to be taken');
    await pause(SECOND_PRESS_MS);
    controlC(run);
    expect(await run.exit).toBe(130);
    await waitFor(() => processesMentioning(workDirectory).length === 0, 'the directory to end', 10_000);
  }, 180_000);
});

describe('npm start --live and a signal before or twice in its live phase', () => {
  test('a Ctrl-C while the simulated days are still being sent quits at once (130), as without --live', async () => {
    const { run, workDirectory } = startLive('history', ['--days', '3', '--contacts-per-day', '5000']);
    await waitFor(() => run.stderr().includes('Local Firehose endpoint'), 'the local Firehose');
    expect(run.stderr()).not.toContain('Live traffic from');
    controlC(run);
    expect(await run.exit).toBe(130);
    expect(run.stderr()).not.toContain('Stopping:');
    await waitFor(() => processesMentioning(workDirectory).length === 0, 'the directory to end', 10_000);
  }, 180_000);

  test('SIGTERM (kill <pid>) in the live phase stops it gently; a second one quits at once with 143', async () => {
    const { run, workDirectory } = startLive('term-twice');
    await waitFor(() => run.stderr().includes('Live traffic from'), 'the live phase');
    process.kill(run.child.pid!, 'SIGTERM');
    await waitFor(() => run.stderr().includes('Stopping:'), 'the first SIGTERM to be taken');
    await pause(SECOND_PRESS_MS);
    process.kill(run.child.pid!, 'SIGTERM');
    expect(await run.exit).toBe(143);
    await waitFor(() => processesMentioning(workDirectory).length === 0, 'the directory to end', 10_000);
  }, 180_000);
});

/** npm start without --live, in a process of its own (signals go to it alone), on an index and work directory of its own. */
function startRun(label: string, history: string[]) {
  const index = `connect-e2e-signals-${label}-${process.pid}-${Date.now()}`;
  indices.push(index);
  const workDirectory = join(workRoot, label);
  const child = spawn(
    process.execPath,
    [runner, elasticsearchUrl, workDirectory, ...history, '--index', index],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  child.stdout?.resume();
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { workDirectory, child, stderr: () => stderr, exit };
}

describe('npm start without --live and a signal sent to it alone', () => {
  test('SIGTERM (kill <pid>) ends it with exit code 143, and takes the caller directory with it', async () => {
    const { workDirectory, child, stderr, exit } = startRun('term', [
      '--days',
      '3',
      '--contacts-per-day',
      '5000',
    ]);
    await waitFor(() => stderr().includes('Local Firehose endpoint'), 'the local Firehose');
    // The caller directory (its own process, in npm start's group) is running.
    expect(processesMentioning(workDirectory).length).toBeGreaterThan(0);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exit).toBe(143);
    expect(stderr()).toContain('Interrupted (SIGTERM): the run ends here, incomplete.');
    await waitFor(() => processesMentioning(workDirectory).length === 0, 'the directory to end', 10_000);
  }, 180_000);

  test('SIGTERM while a large period is being simulated ends it within seconds, saying so, and leaves no cut file', async () => {
    // 14 days of 20,000 contacts: about half a minute of generating here.
    const { workDirectory, child, stderr, exit } = startRun('simulating', [
      '--days',
      '14',
      '--contacts-per-day',
      '20000',
    ]);
    await waitFor(() => stderr().includes('Index template for'), 'the simulation to start');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const signalled = Date.now();
    process.kill(child.pid!, 'SIGTERM');
    expect(await exit).toBe(143);
    // A day of 20,000 contacts is the longest step between two turns of the event loop (about 2 s here).
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(stderr()).toContain('Interrupted (SIGTERM): the run ends here, incomplete.');
    expect(stderr()).not.toContain('Simulated ');
    const left = existsSync(workDirectory) ? readdirSync(workDirectory) : [];
    expect(left.filter((name) => name.startsWith('caller-directory'))).toEqual([]);
  }, 180_000);
});
