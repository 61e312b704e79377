export * from './fields';
export * from './flow';
export * from './deploy';
