// The assembly of a data export: waiting for every part, one file once all are in, late parts of a gone export.
import { describe, expect, it } from 'vitest';
import { EXPORT_KEEP_DAYS, exportPartKey } from '../../../events/contracts/privacy';
import {
  type DataExport,
  type DataExportDeps,
  receivePart,
  requestExport,
  viewExport,
} from '../../../functions/users/data-exports';
import type { PrivateFiles } from '../../../layers/common/private-files';

const userId = '6f1c2b9e-4a53-4c1d-9d0e-2f7a8b3c4d5e';
const otherId = '0b7e6f1a-2c3d-4e5f-8a9b-1c2d3e4f5a6b';

function memory(start = '2026-12-02T10:00:00Z') {
  let now = new Date(start);
  const exports = new Map<string, DataExport>();
  const objects = new Map<string, unknown>();
  const messages: unknown[] = [];
  const files: PrivateFiles = {
    putJson: async (key, value) => void objects.set(key, JSON.parse(JSON.stringify(value))),
    getJson: async (key) => objects.get(key),
    downloadUrl: async (key, filename) => `https://bucket.test/${key}?as=${filename}`,
    removePrefix: async (prefix) => {
      const keys = [...objects.keys()].filter((key) => key.startsWith(prefix));
      for (const key of keys) objects.delete(key);
      return keys.length;
    },
  };
  let ids = 0;
  const deps: DataExportDeps = {
    files,
    isErased: async () => false,
    findProfile: async (id) =>
      id === userId
        ? { userId, email: 'ada@example.com', firstName: 'Ada', lastName: 'L', pictureKey: null }
        : undefined,
    newId: () => `00000000-0000-4000-8000-00000000000${++ids}`,
    now: () => now,
    exports: {
      pendingOf: async (id) =>
        [...exports.values()].find((item) => item.userId === id && item.status === 'pending'),
      create: async (item, message, staleBefore) => {
        const mine = [...exports.values()].filter((other) => other.userId === item.userId);
        for (const other of mine)
          if (other.status === 'pending' && other.requestedAt < staleBefore) other.status = 'failed';
        const pending = mine.find((other) => other.status === 'pending');
        if (pending) return { ...pending };
        exports.set(item.id, { ...item });
        messages.push(message);
        return item;
      },
      find: async (id, exportId) => {
        const item = exports.get(exportId);
        return item?.userId === id ? { ...item } : undefined;
      },
      addPart: async (exportId, part) => {
        const item = exports.get(exportId);
        if (!item) return undefined;
        if (!item.parts.includes(part)) item.parts.push(part);
        return { ...item, parts: [...item.parts] };
      },
      markReady: async (exportId, fileKey, at) => {
        const item = exports.get(exportId);
        if (item) Object.assign(item, { status: 'ready', fileKey, readyAt: at });
      },
    },
  };
  return { deps, exports, objects, messages, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

async function writePart(
  world: ReturnType<typeof memory>,
  exportId: string,
  part: 'tickets' | 'notifications',
  data: unknown,
) {
  const key = exportPartKey(userId, exportId, part);
  world.objects.set(key, data);
  return receivePart(world.deps, { exportId, userId, part });
}

describe('a data export', () => {
  it('is pending until every part is in, then one file with the profile and the parts, the parts removed', async () => {
    const world = memory();
    const started = await requestExport(world.deps, userId, 'corr');
    expect(started).toMatchObject({ status: 'pending', downloadUrl: null });
    expect(world.messages).toHaveLength(1);

    expect(
      await writePart(world, started.id, 'notifications', { emails: [{ subject: 'Your tickets' }] }),
    ).toBe('waiting');
    expect(
      await writePart(world, started.id, 'tickets', { orders: [{ id: 'o1' }], tickets: [{ id: 't1' }] }),
    ).toBe('assembled');

    const view = await viewExport(world.deps, userId, started.id);
    expect(view.status).toBe('ready');
    expect(view.downloadUrl).toContain(exportPartKey(userId, started.id, 'export'));
    expect(world.objects.get(exportPartKey(userId, started.id, 'export'))).toMatchObject({
      userId,
      profile: { email: 'ada@example.com', firstName: 'Ada' },
      orders: [{ id: 'o1' }],
      tickets: [{ id: 't1' }],
      notifications: [{ subject: 'Your tickets' }],
    });
    expect([...world.objects.keys()]).toEqual([exportPartKey(userId, started.id, 'export')]);
  });

  it('answers the export in progress instead of starting a second one', async () => {
    const world = memory();
    const first = await requestExport(world.deps, userId, 'corr');
    const second = await requestExport(world.deps, userId, 'corr');
    expect(second.id).toBe(first.id);
    expect(world.messages).toHaveLength(1);
  });

  it('is nobody else’s to see', async () => {
    const world = memory();
    const started = await requestExport(world.deps, userId, 'corr');
    await expect(viewExport(world.deps, otherId, started.id)).rejects.toMatchObject({ status: 404 });
  });

  it('removes a late part of an export that is gone (its account was deleted)', async () => {
    const world = memory();
    const key = exportPartKey(userId, 'e-gone', 'tickets');
    world.objects.set(key, { orders: [], tickets: [] });
    expect(await receivePart(world.deps, { exportId: 'e-gone', userId, part: 'tickets' })).toBe('gone');
    expect(world.objects.has(key)).toBe(false);
  });

  it('removes only the part file a report names, whatever key the message carries', async () => {
    const world = memory();
    const part = exportPartKey(userId, 'e-gone', 'tickets');
    world.objects.set(part, { orders: [], tickets: [] });
    world.objects.set(`pictures/${otherId}/me.png`, 'picture');
    const report = { exportId: 'e-gone', userId, part: 'tickets' as const, key: `pictures/${otherId}/` };
    expect(await receivePart(world.deps, report)).toBe('gone');
    expect([...world.objects.keys()]).toEqual([`pictures/${otherId}/me.png`]);
  });

  it('gives up an export missing a part after a day: it shows expired and the next request starts anew', async () => {
    const world = memory();
    const stuck = await requestExport(world.deps, userId, 'corr');
    await writePart(world, stuck.id, 'tickets', { orders: [], tickets: [] });
    world.advance(23 * 3_600_000);
    expect((await requestExport(world.deps, userId, 'corr')).id).toBe(stuck.id);
    world.advance(2 * 3_600_000);
    expect(await viewExport(world.deps, userId, stuck.id)).toMatchObject({ status: 'expired' });
    const again = await requestExport(world.deps, userId, 'corr');
    expect(again.id).not.toBe(stuck.id);
    expect(await writePart(world, stuck.id, 'notifications', { emails: [] })).toBe('gone');
    expect(await viewExport(world.deps, userId, stuck.id)).toMatchObject({
      status: 'expired',
      downloadUrl: null,
    });
  });

  it(`is offered ${EXPORT_KEEP_DAYS} days, then expired without a link`, async () => {
    const world = memory();
    const started = await requestExport(world.deps, userId, 'corr');
    await writePart(world, started.id, 'tickets', { orders: [], tickets: [] });
    await writePart(world, started.id, 'notifications', { emails: [] });
    world.advance(EXPORT_KEEP_DAYS * 86_400_000 + 1);
    expect(await viewExport(world.deps, userId, started.id)).toMatchObject({
      status: 'expired',
      downloadUrl: null,
    });
  });
});
