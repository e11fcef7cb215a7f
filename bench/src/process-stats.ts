// What the processes under test cost: resident memory of whoever listens on a port, and this process's own CPU
// (the load generator must not be the bottleneck, so every load row says how busy it was).
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The pid listening on a loopback TCP port (ss shows users:(("node",pid=123,fd=20))). */
export async function pidListeningOn(port: number): Promise<number | undefined> {
  const { stdout } = await run('ss', ['-Hltnp', `sport = :${port}`]);
  const match = /pid=(\d+)/.exec(stdout);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Resident set size in MB from /proc (VmRSS), or undefined when the process is gone. */
export async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 1024);
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; for the processes under test. */
export async function cpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/** Starts a CPU meter of this process; `busyPct()` is the share of one core it used since. */
export function selfCpuMeter(): { busyPct(): number } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  return {
    busyPct() {
      const d = process.cpuUsage(cpu0);
      return Math.round(((d.user + d.system) / 1000 / (performance.now() - t0)) * 100);
    },
  };
}

/** CPU share (of one core) of other processes over a phase, by pid: how the 2 cores were split. */
export async function cpuMeter(pids: Record<string, number | undefined>): Promise<{ busyPct(): Promise<Record<string, number>> }> {
  const start = new Map<string, number>();
  for (const [name, pid] of Object.entries(pids)) {
    const s = pid === undefined ? undefined : await cpuSeconds(pid);
    if (s !== undefined) start.set(name, s);
  }
  const t0 = performance.now();
  return {
    async busyPct() {
      const elapsedS = (performance.now() - t0) / 1000;
      const out: Record<string, number> = {};
      for (const [name, pid] of Object.entries(pids)) {
        const s0 = start.get(name);
        const s1 = pid === undefined ? undefined : await cpuSeconds(pid);
        if (s0 !== undefined && s1 !== undefined) out[name] = Math.round(((s1 - s0) / elapsedS) * 100);
      }
      return out;
    },
  };
}

/** Direct children of a process (nginx's workers are its master's). */
export async function childPids(pid: number): Promise<number[]> {
  try {
    const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return text.trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
