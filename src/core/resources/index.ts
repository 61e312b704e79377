/** Resource types, claims and their placeholders (see types.ts): the pure part every face and the platform share. */
export * from './types';
export { BUILTIN_TYPES, BUILTIN_CATALOG, POSTGRES_TYPE, VOLUME_TYPE, classFor } from './builtins';
export { findPlaceholders, claimsOf, resourceIdFor, bindEnvironment, redactor, maskOutputs } from './claims';
export type { Placeholder, BoundEnvironment } from './claims';
