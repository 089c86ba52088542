export * from './profile.ts';
export * from './errors.ts';
export * from './tenant.ts';
export * from './selection.ts';
export * from './scopes.ts';
