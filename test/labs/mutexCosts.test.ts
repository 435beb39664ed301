// The handout's table of measured message costs is generated (npm run costs); it must match
// what the reference solutions measure today.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { costTable, handout, withTable } from '../../labs/01-mutex/costs.ts';

describe('lab 1 handout', () => {
  it('shows the message costs the reference solutions measure, equal to the formulas', () => {
    const table = costTable();
    const text = readFileSync(handout, 'utf8');
    expect(withTable(text, table), 'run npm run costs to regenerate the table').toBe(text);
    for (const row of table.split('\n').slice(2)) {
      const cells = row.split('|').slice(2, -1).map((cell) => cell.trim());
      for (const cell of cells) {
        const [measured, formula] = cell.replace(/[()]/g, '').split(' ');
        expect(measured, row).toBe(formula);
      }
    }
  });
});
