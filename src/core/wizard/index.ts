export * from './fields';
export * from './flow';
