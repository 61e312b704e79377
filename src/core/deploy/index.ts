export * from './model';
export * from './eventText';
