// Where the project and each service's function files are, and loading a function's handler from its file: shared
// by the platform and its API workers (which must not load the platform itself: PostgreSQL's exit hooks come with it).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ServiceManifest } from '../layers/common/manifest';
import type { AnyHandler } from './lambda';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const serviceDir = (manifest: ServiceManifest) =>
  manifest.dir ?? join(ROOT, 'functions', manifest.service);

async function loadHandler(manifest: ServiceManifest, file: string): Promise<AnyHandler> {
  const path = join(serviceDir(manifest), file);
  const module = (await import(pathToFileURL(path).href)) as { handler?: AnyHandler };
  if (typeof module.handler !== 'function') throw new Error(`${path} exports no handler`);
  return module.handler;
}

/**
 * Each function file's handler, imported once. Importing mostly waits (on the disk, and on tsx's loader thread when
 * the machine is busy), so the runtime asks for them all at once rather than one after another.
 */
export function handlerLoader(): (manifest: ServiceManifest, file: string) => Promise<AnyHandler> {
  const imports = new Map<string, Promise<AnyHandler>>();
  return (manifest, file) => {
    const key = join(serviceDir(manifest), file);
    let handler = imports.get(key);
    if (!handler) {
      handler = loadHandler(manifest, file);
      imports.set(key, handler);
    }
    return handler;
  };
}
