export * from './adoption';
export * from './answers';
export * from './merge3';
export * from './render';
export * from './semver';
export * from './upgrade';
export * from './values';
