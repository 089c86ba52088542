export * from './database.ts';
export * from './migrate.ts';
export * from './role-safety.ts';
export * from './roles.ts';
export * from './connect.ts';
export * from './urls.ts';
