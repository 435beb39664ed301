// `npm test -- paxos`: lab 3's suite under vitest. Set DISTLAB_IMPL=student to test your code.
import { describeLab } from '../../grader/vitest.ts';

await describeLab('03-paxos');
