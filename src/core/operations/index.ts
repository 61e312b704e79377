export * from './health';
export * from './slo';
export * from './spec';
export * from './alerts';
