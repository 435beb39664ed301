/** How long a message is in flight, in simulated ms (always at least 1). */
export type DelayDistribution =
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /** Exponential with the given mean, shifted to start at `minMs` and cut at `maxMs`. */
  | { readonly kind: 'exponential'; readonly meanMs: number; readonly minMs?: number; readonly maxMs?: number };

export interface NetworkSettings {
  readonly delay: DelayDistribution;
  /** Probability that a message is lost. */
  readonly dropRate: number;
  /** Probability that a message is delivered twice. */
  readonly duplicateRate: number;
  /** True: each channel (sender, receiver) delivers in send order. False: messages may overtake. */
  readonly fifo: boolean;
}

export const defaultNetwork: NetworkSettings = {
  delay: { kind: 'uniform', minMs: 1, maxMs: 10 },
  dropRate: 0,
  duplicateRate: 0,
  fifo: false,
};

/** Returns a problem with the settings, or undefined. */
export function validateNetwork(settings: NetworkSettings): string | undefined {
  const rate = (name: string, value: number) =>
    typeof value !== 'number' || !(value >= 0 && value <= 1) ? `network ${name} must be between 0 and 1, not ${String(value)}` : undefined;
  const problem = rate('dropRate', settings.dropRate) ?? rate('duplicateRate', settings.duplicateRate);
  if (problem) return problem;
  const delay = settings.delay;
  if (delay.kind === 'uniform') {
    if (!(delay.minMs >= 1 && delay.maxMs >= delay.minMs)) {
      return `uniform delay needs 1 <= minMs <= maxMs, not [${delay.minMs}, ${delay.maxMs}]`;
    }
  } else if (delay.kind === 'exponential') {
    if (!(delay.meanMs > 0) || (delay.minMs ?? 1) < 1 || (delay.maxMs !== undefined && delay.maxMs < (delay.minMs ?? 1))) {
      return 'exponential delay needs meanMs > 0, minMs >= 1 and maxMs >= minMs';
    }
  } else {
    return `unknown delay kind ${JSON.stringify((delay as { kind: unknown }).kind)}: use "uniform" or "exponential"`;
  }
  return undefined;
}
