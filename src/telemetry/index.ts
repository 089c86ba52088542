export * from './clock.ts';
export * from './audit.ts';
export * from './counters.ts';
export * from './instance.ts';
export * from './metrics.ts';
export * from './signals.ts';
