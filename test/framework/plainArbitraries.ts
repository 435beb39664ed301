// Arbitraries of plain data, shared by the tests of its copies, hashes and encodings.
import fc from 'fast-check';

/** JSON-like values plus undefined, bigint, odd numbers, Maps and Sets. */
export const primitive = fc.oneof(
  fc.integer(),
  fc.double(), // includes -0, NaN and the infinities
  fc.string({ maxLength: 6 }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
);
/** Map keys and Set elements must be primitives. */
export const primitiveKey = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.string({ maxLength: 3 }), fc.boolean(), fc.constant(null), fc.double());
// '__proto__' is left out here: the tests that use these have a dedicated case for it (copying it needs care).
export const objectKey = fc.string({ maxLength: 5 }).filter((key) => key !== '__proto__');

export const { plain } = fc.letrec<{ plain: unknown }>((tie) => ({
  plain: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    primitive,
    fc.array(tie('plain'), { maxLength: 4 }),
    fc.dictionary(objectKey, tie('plain'), { maxKeys: 4 }),
    fc.uniqueArray(fc.tuple(primitiveKey, tie('plain')), { maxLength: 4, selector: ([key]) => key, comparator: 'SameValueZero' }).map((entries) => new Map(entries)),
    fc.uniqueArray(primitiveKey, { maxLength: 4, comparator: 'SameValueZero' }).map((elements) => new Set(elements)),
  ),
}));
