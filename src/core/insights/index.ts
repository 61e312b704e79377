export * from './types';
export * from './time';
export * from './history';
export * from './delivery';
export * from './adoption';
export * from './onboarding';
export * from './compliance';
export * from './feedback';
