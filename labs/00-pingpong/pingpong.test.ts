// `npm test -- pingpong`: lab 0's suite under vitest. Set DISTLAB_IMPL=student to test your code.
import { describeLab } from '../../grader/vitest.ts';

await describeLab('00-pingpong');
