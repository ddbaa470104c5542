/**
 * @module bench/proc-stats
 * What Linux says about a process the benches started: its resident memory, read from /proc (the process's own
 * view would include nothing of a child and cannot be read from outside).
 */
import { readFileSync } from 'node:fs'

/** Resident set size of a process, MB (VmRSS of /proc/PID/status). */
export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
}
