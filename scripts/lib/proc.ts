/** A process's memory and CPU as Linux's /proc reports them (for benchmarks of child processes). */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** Resident set size and its high-water mark, bytes. */
  readonly rss: number;
  readonly hwm: number;
  /** User + system CPU in clock ticks (1/100 s on Linux). */
  readonly cpuTicks: number;
}

export function procStat(pid: number): ProcStat {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), cpuTicks: Number(stat[11]) + Number(stat[12]) };
}

/** User + system CPU of one thread (`tid`; the main thread's is the process id), clock ticks. */
export function threadTicks(pid: number, tid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(stat[11]) + Number(stat[12]);
}
