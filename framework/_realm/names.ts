/** The names a realm's two scripts run under: they name their frames in stack traces. */
export const realmScriptNames = { host: 'distlab-node-runtime.js', submission: 'submission.js' } as const;
