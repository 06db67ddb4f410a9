// The app user the migrate function grants in AWS (layers/common/app-role.ts), on a real PostgreSQL holding every
// service's migrations, set up as RDS is: the database's owner runs the migrations and may create roles, but is no
// superuser. The app user reads and writes every table and nothing more; the clone the alternating-users rotation
// creates has the same rights; another deploy's run keeps a rotated password.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifests } from '../../functions/manifests';
import { appRoleOf, grantAppRole } from '../../layers/common/app-role';
import { migrateDatabase } from '../../layers/common/migrate';
import { type LocalPostgres, startPostgres } from '../../local/postgres';
import { freePort } from '../support/ports';

const FUNCTIONS_DIR = join(import.meta.dirname, '../../functions');
const services = manifests.filter((manifest) => manifest.database).map((manifest) => manifest.service);
const LOGIN = (service: string) => ({ username: appRoleOf(service), password: `first-${service}-password` });
const DML = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];
const NOT_GRANTED = ['TRUNCATE', 'REFERENCES', 'TRIGGER'];

let dataDir: string;
let server: LocalPostgres;
let port: number;
const owners = new Map<string, pg.Client>();

/** The database's owner, as the master user is on RDS: `<service>` in the local cluster. */
const ownerOf = (service: string) => owners.get(service) as pg.Client;

async function connectAs(service: string, user: string, password: string): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port, database: service, user, password });
  await client.connect();
  return client;
}

async function rejected(client: pg.Client, sql: string): Promise<string | undefined> {
  return client.query(sql).then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tol-app-role-'));
  port = await freePort();
  server = await startPostgres({ dataDir, port, services });
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    // RDS's master user may create roles (rds_superuser) without being a superuser.
    for (const service of services)
      await admin.query(`ALTER ROLE ${pg.escapeIdentifier(service)} CREATEROLE`);
  } finally {
    await admin.end();
  }
  for (const service of services) {
    const owner = new pg.Client({ connectionString: server.urls[service] });
    await owner.connect();
    owners.set(service, owner);
    await migrateDatabase(owner, { dir: join(FUNCTIONS_DIR, service, 'migrations') });
    await grantAppRole(owner, appRoleOf(service), LOGIN(service));
  }
}, 240_000);

afterAll(async () => {
  for (const owner of owners.values()) await owner.end().catch(() => undefined);
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe.each(services)('the %s app user', (service) => {
  it('may read and write every table and use every sequence, and nothing else', async () => {
    const owner = ownerOf(service);
    const role = appRoleOf(service);
    const { rows: tables } = await owner.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'pgmigrations'",
    );
    expect(tables.length).toBeGreaterThan(2);
    for (const { name } of tables) {
      for (const privilege of [...DML, ...NOT_GRANTED]) {
        const { rows } = await owner.query('SELECT has_table_privilege($1, $2, $3) AS held', [
          role,
          `public.${name}`,
          privilege,
        ]);
        expect(rows[0].held, `${privilege} on ${name}`).toBe(DML.includes(privilege));
      }
    }
    const { rows: sequences } = await owner.query<{ name: string; held: boolean }>(
      `SELECT sequencename AS name, has_sequence_privilege($1, 'public.' || sequencename, 'USAGE') AS held
         FROM pg_sequences WHERE schemaname = 'public' AND sequencename NOT LIKE 'pgmigrations%'`,
      [role],
    );
    for (const sequence of sequences) expect(sequence.held, sequence.name).toBe(true);

    const app = await connectAs(service, role, LOGIN(service).password);
    try {
      const [first] = tables;
      await expect(
        app.query(`SELECT count(*) FROM public.${pg.escapeIdentifier(first?.name ?? '')}`),
      ).resolves.toBeTruthy();
      // 42501 insufficient_privilege; 42501 too for DROP by a non-owner.
      expect(await rejected(app, 'CREATE TABLE intruder (id int)')).toBe('42501');
      expect(await rejected(app, `DROP TABLE public.${pg.escapeIdentifier(first?.name ?? '')}`)).toBe(
        '42501',
      );
      expect(await rejected(app, 'SELECT * FROM pgmigrations')).toBe('42501');
      expect(await rejected(app, "CREATE ROLE intruder LOGIN PASSWORD 'x'")).toBe('42501');
    } finally {
      await app.end();
    }
  });

  it("gives the rotation's clone the same rights, and keeps a rotated password on the next deploy's run", async () => {
    const owner = ownerOf(service);
    const role = appRoleOf(service);
    const clone = `${role}_clone`;
    // What the alternating-users rotation does on its first run, logged in as the master user.
    await owner.query(`CREATE ROLE ${pg.escapeIdentifier(clone)} LOGIN PASSWORD 'clone-password'`);
    await owner.query(`GRANT ${pg.escapeIdentifier(role)} TO ${pg.escapeIdentifier(clone)}`);
    // ...and on its second, which sets a new password on the first login.
    await owner.query(`ALTER ROLE ${pg.escapeIdentifier(role)} PASSWORD 'rotated-password'`);
    // The next deploy's migrate function reads the secret, which now names the clone.
    await grantAppRole(owner, role, { username: clone, password: 'clone-password' });

    const viaClone = await connectAs(service, clone, 'clone-password');
    try {
      const { rows } = await owner.query<{ name: string }>(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'pgmigrations' LIMIT 1",
      );
      await expect(
        viaClone.query(`SELECT count(*) FROM public.${pg.escapeIdentifier(rows[0]?.name ?? '')}`),
      ).resolves.toBeTruthy();
      expect(await rejected(viaClone, 'CREATE TABLE intruder (id int)')).toBe('42501');
    } finally {
      await viaClone.end();
    }
    const viaFirst = await connectAs(service, role, 'rotated-password');
    await viaFirst.end();
    await expect(connectAs(service, role, LOGIN(service).password)).rejects.toMatchObject({ code: '28P01' });
  });
});

it('creates the app role without a login, and the login the secret names as its member, when only the clone is known', async () => {
  const [service] = services;
  const owner = ownerOf(service ?? '');
  const role = 'restored_app';
  await grantAppRole(owner, role, { username: `${role}_clone`, password: 'restored-password' });
  const { rows } = await owner.query<{ rolname: string; rolcanlogin: boolean }>(
    "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'restored_app%' ORDER BY rolname",
  );
  expect(rows).toEqual([
    { rolname: role, rolcanlogin: false },
    { rolname: `${role}_clone`, rolcanlogin: true },
  ]);
  const client = await connectAs(service ?? '', `${role}_clone`, 'restored-password');
  await expect(client.query('SELECT count(*) FROM public.outbox')).resolves.toBeTruthy();
  await client.end();
});
