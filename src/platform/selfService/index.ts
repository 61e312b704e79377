/**
 * Self-service flows, written once below every face (the editor's commands, the `paved` CLI, later an AI agent's
 * tools): each flow is a file (deploy.ts, rollback.ts, promote.ts, scaffold.ts, upgrade.ts, operate.ts for restart and
 * stop, logs.ts for following a service's logs; a new flow is a new file beside them)
 * over shared steps — where a service deploys (target.ts), environments and releases, the manifest and its policy
 * gate, approval, the idempotent send (send.ts), the record that survives a restart (journal.ts, resume.ts) and
 * following the events (follow.ts). A face supplies `SelfServicePrompts` and an observer (context.ts, follow.ts).
 */
export * from './context';
export * from './deploy';
export * from './environments';
export * from './follow';
export * from './journal';
export * from './logs';
export * from './manifest';
export * from './operate';
export * from './promote';
export * from './resume';
export * from './rollback';
export * from './scaffold';
export * from './send';
export * from './target';
export * from './policies';
export * from './goldenPathFiles';
export * from './upgrade';
