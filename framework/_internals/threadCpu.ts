// The CPU time of the calling thread, for the search's figures on several threads.
import { readFileSync } from 'node:fs';

/**
 * The CPU time this thread has used, in milliseconds, from the kernel's count for the thread
 * (Linux's /proc/thread-self, in ticks of 10 ms); NaN where there is no such count.
 */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}
