// PostgreSQL error codes (SQLSTATE) the platform reacts to, by their PostgreSQL condition names, so a reader never has
// to look a number up: https://www.postgresql.org/docs/current/errcodes-appendix.html
export const PgCode = {
  UNIQUE_VIOLATION: '23505',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
  ADMIN_SHUTDOWN: '57P01',
  CRASH_SHUTDOWN: '57P02',
  CANNOT_CONNECT_NOW: '57P03',
  QUERY_CANCELED: '57014',
  CONNECTION_EXCEPTION: '08000',
  SQLCLIENT_UNABLE_TO_ESTABLISH_SQLCONNECTION: '08001',
  CONNECTION_DOES_NOT_EXIST: '08003',
  SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION: '08004',
  CONNECTION_FAILURE: '08006',
  OBJECT_NOT_IN_PREREQUISITE_STATE: '55000',
  TOO_MANY_CONNECTIONS: '53300',
  INVALID_CATALOG_NAME: '3D000',
  INVALID_AUTHORIZATION_SPECIFICATION: '28000',
} as const;

/** The SQLSTATE of a pg error (or any error with a string `code`). */
export function pgCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A unique violation, of `constraint` when given. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  if (pgCodeOf(error) !== PgCode.UNIQUE_VIOLATION) return false;
  return constraint === undefined || (error as { constraint?: string }).constraint === constraint;
}
