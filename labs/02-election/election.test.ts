// `npm test -- election`: lab 2's suite under vitest. Set DISTLAB_IMPL=student to test your code.
import { describeLab } from '../../grader/vitest.ts';

await describeLab('02-election');
