// Small helpers shared by the framework tests (not a test file itself).
import type { NodeClass, NodeSpec, Protocol, TraceEvent, TraceKind } from '../../framework/testing.ts';

/** `count` server specs of one class. */
export function serversOf<P extends Protocol>(count: number, node: NodeClass<P>): NodeSpec<P>[] {
  return Array.from({ length: count }, () => ({ role: 'server' as const, node }));
}

/** The events of one kind, in trace order. */
export function ofKind(trace: readonly TraceEvent[], kind: TraceKind): TraceEvent[] {
  return trace.filter((event) => event.kind === kind);
}

/** A field of an event's detail (the message, timer, input or output), for assertions. */
export function detailOf<T>(event: TraceEvent): T {
  return event.detail as T;
}
