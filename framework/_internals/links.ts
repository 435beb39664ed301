// Which directed links are cut: the one place that knows what partitions, isolations, cuts
// and heals do, for every driver.
import type { FaultAction } from '../faults.ts';
import type { NodeId } from '../types.ts';

/** A matrix of directed links, `from * count + to`: 1 where nothing gets through. */
export class LinkMatrix {
  readonly blocked: Uint8Array;
  /** False while no link fault has been applied since the last heal: nothing is blocked. */
  anyBlocked = false;

  constructor(readonly count: number) {
    this.blocked = new Uint8Array(count * count);
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return from !== to && this.blocked[from * this.count + to] === 1;
  }

  /** Applies a link fault; returns false for an action that is not about links. */
  apply(action: FaultAction): boolean {
    const count = this.count;
    const blocked = this.blocked;
    switch (action.type) {
      case 'partition': {
        const groupOf = new Array<number>(count).fill(action.groups.length);
        action.groups.forEach((group, groupIndex) => {
          for (const id of group) groupOf[id] = groupIndex;
        });
        for (let from = 0; from < count; from++) {
          for (let to = 0; to < count; to++) blocked[from * count + to] = groupOf[from] === groupOf[to] ? 0 : 1;
        }
        // A partition into one group blocks nothing; the flag only spares lookups, so it stays set.
        this.anyBlocked = true;
        return true;
      }
      case 'isolate':
        for (let other = 0; other < count; other++) {
          if (other === action.node) continue;
          blocked[action.node * count + other] = 1;
          blocked[other * count + action.node] = 1;
        }
        this.anyBlocked = true;
        return true;
      case 'cut':
        for (const from of action.from) for (const to of action.to) if (from !== to) blocked[from * count + to] = 1;
        this.anyBlocked = true;
        return true;
      case 'heal':
        blocked.fill(0);
        this.anyBlocked = false;
        return true;
      default:
        return false;
    }
  }
}
