/** The names a realm's two scripts run under: they name their frames in stack traces. */
export const realmScriptNames = { host: 'distlab-node-runtime.js', submission: 'submission.js' } as const;

/**
 * The built-ins a realm's scripts see as parameters of a wrapping function rather than as
 * globals: a global's lookup in a `node:vm` context goes through the context's interceptor
 * and costs about a microsecond, a parameter's nothing. (An assignment to one of these names
 * in a script changes its parameter, never the realm's global object.)
 */
export const realmWrappedGlobals = [
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Proxy',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'RegExp', 'Date', 'Error', 'TypeError', 'RangeError', 'ReferenceError',
  'SyntaxError', 'EvalError', 'URIError', 'AggregateError', 'ArrayBuffer', 'DataView', 'Uint8Array', 'Int8Array',
  'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'Uint8ClampedArray',
  'BigInt64Array', 'BigUint64Array', 'parseInt', 'parseFloat', 'isNaN', 'isFinite', 'encodeURIComponent',
  'decodeURIComponent', 'encodeURI', 'decodeURI', 'console', 'globalThis',
] as const;
