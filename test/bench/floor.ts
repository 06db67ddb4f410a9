// The database's own floor for a purchase: how many one-hot-row purchase transactions per second the same
// PostgreSQL commits, measured in the same run as the purchases it is compared with. Each transaction takes one seat
// from a single stock row (the row every buyer of a sold-out-bound tier contends on) and inserts the order it sold,
// with the tickets service's durability settings, so the ratio of our purchases/s to this says how much of the
// database's pace the whole stack (gateway, authorizer, handler, publish) delivers.
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** Clients committing at once: what pgbench was run with when the floor was first measured (issue 20). */
export const FLOOR_CLIENTS = 8;

const SETUP = `
  CREATE SCHEMA IF NOT EXISTS bench_floor;
  CREATE TABLE IF NOT EXISTS bench_floor.stock (id int PRIMARY KEY, sold bigint NOT NULL DEFAULT 0);
  CREATE TABLE IF NOT EXISTS bench_floor.orders (id uuid PRIMARY KEY, stock_id int NOT NULL, sold_at timestamptz NOT NULL);
`;
/** One purchase: the hot row's update and the order's insert, committed together (one statement, one commit). */
const PURCHASE = `
  WITH taken AS (UPDATE bench_floor.stock SET sold = sold + 1 WHERE id = $1 RETURNING id)
  INSERT INTO bench_floor.orders (id, stock_id, sold_at) SELECT $2, id, now() FROM taken`;

export interface Floor {
  clients: number;
  seconds: number;
  transactions: number;
  transactionsPerSecond: number;
}

/**
 * Runs FLOOR_CLIENTS clients committing one-hot-row purchases for `seconds`, then drops what it wrote. `ended` is
 * called as the last transaction commits, while the clients' server processes still live (to read their CPU time).
 */
export async function measureFloor(
  databaseUrl: string,
  seconds: number,
  ended: () => void = () => undefined,
): Promise<Floor> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const stockId = Math.floor(Math.random() * 1_000_000_000);
  try {
    await admin.query(SETUP);
    await admin.query('INSERT INTO bench_floor.stock (id) VALUES ($1)', [stockId]);
    const clients = await Promise.all(
      Array.from({ length: FLOOR_CLIENTS }, async () => {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        return client;
      }),
    );
    let transactions = 0;
    const started = performance.now();
    const until = started + seconds * 1000;
    try {
      await Promise.all(
        clients.map(async (client) => {
          while (performance.now() < until) {
            await client.query(PURCHASE, [stockId, randomUUID()]);
            transactions += 1;
          }
        }),
      );
      ended();
    } finally {
      await Promise.all(clients.map((client) => client.end()));
    }
    const elapsed = (performance.now() - started) / 1000;
    return {
      clients: FLOOR_CLIENTS,
      seconds: Math.round(elapsed * 10) / 10,
      transactions,
      transactionsPerSecond: Math.round(transactions / elapsed),
    };
  } finally {
    await admin.query('DELETE FROM bench_floor.orders WHERE stock_id = $1', [stockId]);
    await admin.query('DELETE FROM bench_floor.stock WHERE id = $1', [stockId]);
    await admin.end();
  }
}
