// The application role of a service database in AWS: the login its functions use, with reads and writes on the
// service's tables and nothing else (no DDL, no migration history). The master user runs the migrations, then creates
// this role once and renews its grants after every run (layers/common/migrate-handler.ts). Locally each service
// still connects as its database's owner (local/postgres.ts).
import type pg from 'pg';

/** The table node-pg-migrate records applied migrations in: the migrations' business, not the functions'. */
const MIGRATIONS_TABLE = 'pgmigrations';

/**
 * `<service>_app`: the role the grants go to and the first login of the app secret. The alternating-users rotation
 * creates `<service>_app_clone` as a member of it (GRANT <service>_app TO <clone>), so both logins hold exactly these
 * rights.
 */
export const appRoleOf = (service: string) => `${service}_app`;

export interface AppLogin {
  username: string;
  password: string;
}

async function roleExists(client: pg.ClientBase, role: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  return (rowCount ?? 0) > 0;
}

/**
 * Creates `role` when missing (with the secret's password when the secret names it; a rotated secret may name the
 * clone instead, which is then created as a member of `role`), and grants it DML on every table and sequence of the
 * public schema, except the migration history. An existing login keeps its password: after a rotation the secret's
 * is the one that counts, not the one the migrations first saw. Role names and passwords cannot be bind parameters in
 * CREATE ROLE and GRANT; they are quoted with pg's own escaping.
 */
export async function grantAppRole(client: pg.ClientBase, role: string, login?: AppLogin): Promise<void> {
  const name = client.escapeIdentifier(role);
  await client.query('BEGIN');
  try {
    if (!(await roleExists(client, role))) {
      const loginClause =
        login?.username === role ? `LOGIN PASSWORD ${client.escapeLiteral(login.password)}` : 'NOLOGIN';
      await client.query(`CREATE ROLE ${name} ${loginClause}`);
    }
    if (login && login.username !== role && !(await roleExists(client, login.username))) {
      const member = client.escapeIdentifier(login.username);
      await client.query(`CREATE ROLE ${member} LOGIN PASSWORD ${client.escapeLiteral(login.password)}`);
      await client.query(`GRANT ${name} TO ${member}`);
    }
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(rows[0]?.db ?? '')} TO ${name}`);
    await client.query(`GRANT USAGE ON SCHEMA public TO ${name}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${name}`);
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${name}`);
    await client.query(`REVOKE ALL ON TABLE public.${MIGRATIONS_TABLE} FROM ${name}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
