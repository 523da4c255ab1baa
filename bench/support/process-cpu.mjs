// CPU time per process group, read from /proc, so a benchmark can say where the machine's cores went.
// Linux only; elsewhere every snapshot is empty and the report says so.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function readProcess(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may contain spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    return { ticks, commandLine };
  } catch {
    return undefined;
  }
}

/** CPU ticks (user + system) of every process on the machine, by pid. */
export function snapshotCpu() {
  const processes = new Map();
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return processes;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const found = readProcess(entry);
    if (found) processes.set(Number(entry), found);
  }
  return processes;
}

/**
 * CPU seconds spent between two snapshots, summed per group. `classify(pid, commandLine)` names a
 * process's group, or returns undefined to leave it out.
 */
export function cpuSecondsByGroup(before, after, classify) {
  const groups = {};
  for (const [pid, { ticks, commandLine }] of after) {
    const group = classify(pid, commandLine);
    if (group === undefined) continue;
    const spent = (ticks - (before.get(pid)?.ticks ?? 0)) / TICKS_PER_SECOND;
    groups[group] = (groups[group] ?? 0) + spent;
  }
  return groups;
}
