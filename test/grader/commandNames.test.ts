// Printed commands name the implementation as whoever pastes them will: a path as typed (quoted
// for the shell where needed) on the machine that graded it, `student` for a submission graded
// for its author (a class, Gradescope), and nothing where the lab's default already means it.
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../../grader/grade.ts';
import { implementationOption } from '../../grader/implementation.ts';
import { findLab } from '../../grader/labs.ts';

const lab = findLab('pingpong');

describe('the implementation in printed commands', () => {
  it('keeps a path as it was typed, and quotes it where the shell would split it', () => {
    expect(implementationOption(lab, { label: 'submissions/alice' })).toBe(' --impl submissions/alice');
    expect(implementationOption(lab, { label: "submissions/Dana Smith's lab" })).toBe(` --impl 'submissions/Dana Smith'\\''s lab'`);
  });

  it("names a class's or Gradescope's submission as the student's own code", () => {
    expect(implementationOption(lab, { label: '/autograder/submission/lab0', commandName: 'student' })).toBe(' --impl student');
    expect(replayCommand(lab, { label: '/autograder/submission', commandName: 'student' }, 'CODE')).toBe('npm run grade -- pingpong --impl student --replay CODE');
  });

  it('leaves out the default (the reference here) and names the others', () => {
    expect(implementationOption(lab, { label: 'solutions' })).toBe('');
    expect(implementationOption(lab, { label: 'student' })).toBe(' --impl student');
    expect(implementationOption(lab, { label: 'mutant:no-dedup' })).toBe(' --impl mutant:no-dedup');
  });
});
