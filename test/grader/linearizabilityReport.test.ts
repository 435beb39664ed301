// A failed linearizability check in a graded run: the failure record keeps the clients'
// history (bounded) and the verdict, report.json allows it, and the HTML report draws it as
// the same timeline check-history draws, with everything from the run escaped.
import { describe, expect, it } from 'vitest';
import { linearizabilityEvidence, maxEvidenceOperations, type LinearizabilityEvidence } from '../../grader/linearizabilityEvidence.ts';
import { renderHtmlReport } from '../../grader/reports/html.ts';
import { boundReport } from '../../grader/reports/untrusted.ts';
import { validateReportJson } from '../../grader/reports/schema.ts';
import { recordedFailure } from '../../grader/replySchema.ts';
import { failingRecord, graded, reportWith } from '../fixtures/kv/report.ts';

describe('a failed linearizability check in the reports', () => {
  const stale = failingRecord('stale-reads');

  it('the failure record keeps the history and the verdict, within the reply schema', () => {
    expect(stale.property).toBe('client histories are linearizable');
    const evidence = stale.linearizability as LinearizabilityEvidence;
    expect(evidence.verdict).toBe('not linearizable');
    // Which operation the checker names depends on the run's draws: a get no order explains, or an operation no order can place.
    expect(evidence.reason).toMatch(/^(get\([xy]\) returned ".*" but every order of the operations before it gives |.+ cannot be placed: no order of the operations before its return)/);
    expect(evidence.historyOperations).toBe(4 * 30);
    expect(evidence.shown).toBe('whole history');
    expect(evidence.operations).toHaveLength(4 * 30);
    expect(evidence.operations[0]).toMatchObject({ client: expect.any(Number), call: expect.any(Number), input: { kind: expect.any(String) } });
    expect(recordedFailure(JSON.parse(JSON.stringify(stale)), '$')).toBeUndefined();
  });

  it('a long history keeps the failing key, or a smaller failing history, within the bound', () => {
    const evidence = failingRecord('stale-reads', 100).linearizability as LinearizabilityEvidence;
    expect(evidence.historyOperations).toBe(4 * 100);
    expect(['failing key', 'smaller failing history']).toContain(evidence.shown);
    expect(evidence.operations.length).toBeGreaterThan(0);
    expect(evidence.operations.length).toBeLessThanOrEqual(maxEvidenceOperations);
  });

  it('other properties keep none', () => {
    expect(linearizabilityEvidence('every command is applied at most once', { inputs: [], outputs: [] })).toBeUndefined();
    expect(linearizabilityEvidence(undefined, { inputs: [], outputs: [] })).toBeUndefined();
  });

  it('report.json allows it, and the HTML report draws the timeline with the reason', () => {
    const report = reportWith(graded(stale));
    expect(validateReportJson(JSON.parse(JSON.stringify(boundReport(report))))).toEqual([]);
    const html = renderHtmlReport(report);
    expect(html).toContain('<section class="linearizability">');
    expect(html).toContain("The clients' history: not linearizable");
    expect(html).toMatch(/<figure class="history-timeline [^"]*" data-verdict="not linearizable">/);
    // The first operation that cannot be placed is highlighted in the drawing.
    expect(html).toContain('failing');
  });

  it('an unknown verdict is shown as a failure with its own note', () => {
    const evidence = stale.linearizability as LinearizabilityEvidence;
    const unknown: LinearizabilityEvidence = { ...evidence, verdict: 'unknown', reason: 'unknown: the checker gave up after 3 steps; an unknown verdict is a failure, not a pass' };
    const html = renderHtmlReport(reportWith(graded({ ...stale, linearizability: unknown })));
    expect(html).toContain("The clients' history: unknown");
    expect(html).toContain('An unknown verdict is a failure, never a pass');
  });

  it('escapes every key and value the history holds', () => {
    const hostile = '</script><img src=x onerror=alert(1)>{{x}}';
    const evidence = stale.linearizability as LinearizabilityEvidence;
    const operations = [
      { client: 0, call: 0, return: 2, input: { kind: 'put', key: hostile, value: hostile }, output: {} },
      { client: 1, call: 3, return: 4, input: { kind: 'get', key: hostile }, output: { value: `${hostile}!` } },
    ];
    const html = renderHtmlReport(reportWith(graded({ ...stale, linearizability: { ...evidence, reason: hostile, shown: 'whole history', historyOperations: 2, operations } })));
    expect(html).toContain('<figure class="history-timeline');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('</script><img');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    // Without a kept history, the reason is shown as the checker gave it: escaped too.
    const withoutHistory = renderHtmlReport(reportWith(graded({ ...stale, linearizability: { ...evidence, reason: hostile, shown: 'none', historyOperations: 5000, operations: [] } })));
    expect(withoutHistory).toContain('is too large to keep');
    expect(withoutHistory).not.toContain('<figure class="history-timeline');
    expect(withoutHistory).toContain('&lt;/script&gt;&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
  });

  it('a kept history over the bound is dropped when the report is bounded', () => {
    const evidence = stale.linearizability as LinearizabilityEvidence;
    const many = Array.from({ length: maxEvidenceOperations + 1 }, (_unused, index) => ({ client: 0, call: index, return: index, input: { kind: 'get', key: 'x' }, output: { value: '' } }));
    const bounded = boundReport(reportWith(graded({ ...stale, linearizability: { ...evidence, operations: many } })));
    expect(bounded.tests[0]?.failure?.linearizability).toMatchObject({ shown: 'none', operations: [] });
  });
});
