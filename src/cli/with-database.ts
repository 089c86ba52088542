/**
 * Runs a CLI operation as the runtime role: `database.runtimeUrl` alone, or DATABASE_URL's
 * server, or the embedded server of a running `tenantgate up`, or a temporary embedded
 * server for the command. It never migrates an external database (`tenantgate migrate` does).
 */
import { prepareDatabase, type PreparedDatabase } from '../db/connect.ts';
import { Database } from '../db/database.ts';
import type { Config } from '../config/schema.ts';

export async function withDatabase<T>(config: Config, fn: (db: Database, prepared: PreparedDatabase) => Promise<T>): Promise<T> {
  const prepared = await prepareDatabase(config, { reuseRunning: true });
  const db = new Database(prepared.runtimeUrl, {
    max: 2,
    applicationName: 'tenantgate-cli',
    connectTimeoutMs: config.database.connectTimeoutMs,
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  try {
    return await fn(db, prepared);
  } finally {
    await db.close();
    await prepared.stop();
  }
}
