// `npm test -- multipaxos`: lab 4's suite under vitest. Set DISTLAB_IMPL=student to test your code.
import { describeLab } from '../../grader/vitest.ts';

await describeLab('04-multipaxos');
