// Configuration read once from the environment; a missing required variable fails fast with its name.
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A required environment variable. Throws at first use when it is missing or empty. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new ConfigError(`Missing required environment variable ${name}`);
  }
  return value;
}

/** An optional environment variable, with its default. */
export function optionalEnv(name: string, fallback: string): string;
export function optionalEnv(name: string): string | undefined;
export function optionalEnv(name: string, fallback?: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function intEnv(name: string, fallback: number): number {
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value))
    throw new ConfigError(`Environment variable ${name} must be an integer, got "${raw}"`);
  return value;
}

/** Memoises a config reader so a container reads its environment once. */
export function once<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    cached ??= { value: read() };
    return cached.value;
  };
}

/** Name of the environment variable that carries a per-service or per-resource setting, e.g. EVENTS_DATABASE_URL. */
export function envKey(...parts: string[]): string {
  return parts
    .join('_')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/** Where the web app is (no trailing slash): WEB_APP_URL, else the API's origin (JWT_ISSUER), where it is served too. */
export function webAppUrl(): string {
  return optionalEnv('WEB_APP_URL', optionalEnv('JWT_ISSUER', 'http://localhost:3000')).replace(/\/+$/, '');
}
