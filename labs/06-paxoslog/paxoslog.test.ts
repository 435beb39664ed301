// `npm test -- paxoslog`: lab 6's suite under vitest. Set DISTLAB_IMPL=student to test your code.
import { describeLab } from '../../grader/vitest.ts';

await describeLab('06-paxoslog');
