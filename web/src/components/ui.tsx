// Small shared pieces: loading and error states, status badges, and a hook that loads data for a page.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';

export type Load<T> =
  | { state: 'loading' }
  | { state: 'error'; message: string; status?: number }
  | { state: 'ready'; data: T };

/** Runs `fetcher` when `deps` change; `reload` runs it again. Stale answers of earlier deps are dropped. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let current = true;
    fetcher().then(
      (data) => current && setLoad({ state: 'ready', data }),
      (error: unknown) =>
        current &&
        setLoad({
          state: 'error',
          message: error instanceof Error ? error.message : String(error),
          status: (error as { status?: number }).status,
        }),
    );
    return () => {
      current = false;
    };
  }, [...deps, version]);
  return [load, useCallback(() => setVersion((v) => v + 1), [])];
}

export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p class="muted" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

export function Alert({
  kind = 'error',
  children,
}: {
  kind?: 'error' | 'info' | 'success';
  children: ComponentChildren;
}) {
  return (
    <div class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Show<T>({ load, children }: { load: Load<T>; children: (data: T) => ComponentChildren }) {
  if (load.state === 'loading') return <Loading />;
  if (load.state === 'error') return <Alert>{load.message}</Alert>;
  return <>{children(load.data)}</>;
}

export function Badge({
  tone,
  children,
}: {
  tone: 'ok' | 'warn' | 'bad' | 'neutral';
  children: ComponentChildren;
}) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/** Saves a Blob as a file through a temporary link. */
export function download(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
