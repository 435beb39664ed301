// Trusted work that may take seconds without a reaction in between (the linearizability
// checker on a long history) tells the grader's child process it is still going, so that its
// parent does not take the silence for a handler that never returns.

let listener: (() => void) | undefined;

/** Set by the grader's child: its heartbeat, which reads the clock and writes only when its interval has passed. */
export function setLongWorkListener(next: (() => void) | undefined): void {
  listener = next;
}

/** Called every few thousand steps of long trusted work. */
export function stillWorking(): void {
  listener?.();
}
