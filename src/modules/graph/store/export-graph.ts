/**
 * The tenant's whole graph as NDJSON (`record`: node | edge | end), streamed: one transaction with server-side cursors,
 * batches written with backpressure, then a closing `end` record with the counts so a reader can
 * tell a complete export from a cut one.
 */
import { PassThrough, type Readable } from 'node:stream';
import type { Database } from '../../../db/database.ts';
import { NODE_COLUMNS, toNode } from './node-store.ts';

export function exportGraphStream(db: Database, tenant: string, batchSize = 500): Readable {
  const out = new PassThrough();
  let closed = false;
  out.on('close', () => {
    closed = true;
  });
  const write = (chunk: string) =>
    new Promise<void>((resolve) => {
      if (out.write(chunk)) return resolve();
      const done = () => {
        out.off('drain', done);
        out.off('close', done);
        resolve();
      };
      out.once('drain', done);
      out.once('close', done);
    });
  const counts = { nodes: 0, edges: 0 };
  db.withTenant(tenant, async (c) => {
    await c.query(`declare export_nodes no scroll cursor for select ${NODE_COLUMNS} from graph.nodes n order by n.id`);
    while (!closed) {
      const { rows } = await c.query(`fetch ${batchSize} from export_nodes`);
      if (rows.length === 0) break;
      counts.nodes += rows.length;
      await write(rows.map((r) => `${JSON.stringify({ record: 'node', ...toNode(r) })}\n`).join(''));
    }
    await c.query('declare export_edges no scroll cursor for select from_id, to_id from graph.edges order by from_id, to_id');
    while (!closed) {
      const { rows } = await c.query(`fetch ${batchSize} from export_edges`);
      if (rows.length === 0) break;
      counts.edges += rows.length;
      await write(rows.map((r) => `${JSON.stringify({ record: 'edge', from: r.from_id, to: r.to_id })}\n`).join(''));
    }
    if (!closed) await write(`${JSON.stringify({ record: 'end', ...counts })}\n`);
  }).then(
    () => out.end(),
    (err) => out.destroy(err),
  );
  return out;
}
