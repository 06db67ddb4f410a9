// The public catalogue over HTTP, against real PostgreSQL full-text search, Redis and the tickets service: what a
// search finds and in which order, each filter, pages that neither repeat nor skip, a cache that never shows an
// outdated event after a change, and event pages that still answer when tickets cannot.
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { functionNameEnv } from '../../../layers/common/env-names';
import type { Platform } from '../../../local/platform';
import type { TestUser } from '../../support/accounts';
import { EDGE_MS, READ_MARGIN_MS, staleFor } from '../../support/edge';
import { waitUntil } from '../../support/wait';
import { eventsPlatform, inDays, steps, uniqueWord } from './support';

let platform: Platform;
let events: pg.Pool;
let ada: TestUser;
const { api, create, published } = steps(() => platform);

eventsPlatform((started) => {
  ({ platform, events, ada } = started);
});

const ids = (body: { items: { id: string }[] }) => body.items.map((item) => item.id);
/** Reads the public page's event name. */
const pageName = (id: string) => async () => (await api('GET', `/v1/events/${id}`)).body.name as string;
const search = async (query: string) => {
  const response = await api('GET', `/v1/events?${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
};

describe('searching the catalogue', () => {
  it('ranks a match in the name above one in the tags, above one in the description only', async () => {
    const word = uniqueWord();
    const inDescription = await published(ada, {
      name: 'Evening session',
      description: `Featuring ${word} on stage.`,
      startsAt: inDays(5),
    });
    const inName = await published(ada, {
      name: `${word} live`,
      description: 'A night to remember.',
      startsAt: inDays(40),
    });
    const inTags = await published(ada, { name: 'Late show', tags: [word, 'jazz'], startsAt: inDays(20) });
    const unrelated = await published(ada, { name: 'Something else entirely' });

    const byRelevance = await search(`q=${word}`);
    expect(ids(byRelevance)).toEqual([inName.id, inTags.id, inDescription.id]);
    expect(byRelevance.items[0].rank).toBeGreaterThan(byRelevance.items[1].rank);
    expect(byRelevance.items[1].rank).toBeGreaterThan(byRelevance.items[2].rank);
    expect(ids(byRelevance)).not.toContain(unrelated.id);

    // The same matches by date when asked, soonest first.
    expect(ids(await search(`q=${word}&sort=date`))).toEqual([inDescription.id, inTags.id, inName.id]);
  });

  it('finds words in any form and case, across fields, and with web-search syntax', async () => {
    const word = uniqueWord();
    const workshop = await published(ada, {
      name: `Pottery Workshops ${word}`,
      type: 'workshop',
      description: 'Throwing bowls on the wheel.',
    });
    const talk = await published(ada, {
      name: `Ceramics talk ${word}`,
      type: 'conference',
      description: 'A lecture.',
    });
    expect(ids(await search(`q=${encodeURIComponent(`WORKSHOP ${word}`)}`))).toEqual([workshop.id]);
    expect(ids(await search(`q=${encodeURIComponent(`bowl ${word}`)}`))).toEqual([workshop.id]);
    expect(ids(await search(`q=${encodeURIComponent(`${word} -pottery`)}`))).toEqual([talk.id]);
    expect(ids(await search(`q=${encodeURIComponent(`"ceramics talk" ${word}`)}`))).toEqual([talk.id]);
    // Nothing but punctuation or stop words finds nothing, and is no error.
    expect((await search(`q=${encodeURIComponent('the & of')}`)).items).toEqual([]);
    expect((await search(`q=${encodeURIComponent("'); DROP TABLE events; --")}`)).items).toEqual([]);
  });

  it('filters by type, tag, city (any case) and start date, alone and together', async () => {
    const tag = uniqueWord();
    const parisConcert = await published(ada, { tags: [tag], type: 'concert', startsAt: inDays(10) });
    const parisWorkshop = await published(ada, {
      tags: [tag, 'Hands On'],
      type: 'workshop',
      startsAt: inDays(20),
    });
    const lyonConcert = await published(ada, {
      tags: [tag],
      type: 'concert',
      startsAt: inDays(30),
      location: {
        venue: 'Le Transbordeur',
        address: '3 boulevard de Stalingrad',
        city: 'Lyon',
        country: 'France',
      },
    });
    const online = await published(ada, {
      tags: [tag],
      type: 'conference',
      startsAt: inDays(40),
      location: { onlineUrl: 'https://meet.example.com/jazz' },
    });
    // A draft matches every filter, and never shows.
    await create(ada, { tags: [tag], type: 'concert', startsAt: inDays(15) });

    expect(ids(await search(`tag=${tag}`))).toEqual([
      parisConcert.id,
      parisWorkshop.id,
      lyonConcert.id,
      online.id,
    ]);
    expect(ids(await search(`tag=${tag.toUpperCase()}`))).toHaveLength(4);
    expect(ids(await search(`tag=${tag}&type=concert`))).toEqual([parisConcert.id, lyonConcert.id]);
    expect(ids(await search(`tag=${tag}&type=workshop,conference`))).toEqual([parisWorkshop.id, online.id]);
    expect(ids(await search(`tag=${tag},hands-on`))).toEqual([parisWorkshop.id]);
    expect(ids(await search(`tag=${tag}&city=lyon`))).toEqual([lyonConcert.id]);
    expect(ids(await search(`tag=${tag}&city=PARIS&type=concert`))).toEqual([parisConcert.id]);
    expect(ids(await search(`tag=${tag}&from=${inDays(15).slice(0, 10)}`))).toEqual([
      parisWorkshop.id,
      lyonConcert.id,
      online.id,
    ]);
    expect(ids(await search(`tag=${tag}&to=${encodeURIComponent(inDays(30))}`))).toEqual([
      parisConcert.id,
      parisWorkshop.id,
      lyonConcert.id,
    ]);
    expect(
      ids(
        await search(`tag=${tag}&from=${inDays(15).slice(0, 10)}&to=${inDays(35).slice(0, 10)}&type=concert`),
      ),
    ).toEqual([lyonConcert.id]);
    expect(ids(await search(`tag=${tag}&city=Marseille`))).toEqual([]);
  });

  it('lists only upcoming events, though the page of one under way still answers', async () => {
    const tag = uniqueWord();
    const soon = await published(ada, { tags: [tag] });
    const started = await published(ada, { tags: [tag] });
    await events.query(
      "UPDATE events SET starts_at = now() - interval '1 hour', ends_at = now() + interval '1 hour' WHERE id = $1",
      [started.id],
    );
    expect(ids(await search(`tag=${tag}&limit=50`))).toEqual([soon.id]);
    const page = await api('GET', `/v1/events/${started.id}`);
    expect(page.status).toBe(200);
    expect(page.body.status).toBe('published');
  });

  it('refuses bad parameters with a field error each', async () => {
    const bad = async (query: string, fields: string[]) => {
      const response = await api('GET', `/v1/events?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(fields);
      expect(response.body.errors.every((error: { in: string }) => error.in === 'query')).toBe(true);
    };
    await bad('limit=0', ['limit']);
    await bad('limit=101', ['limit']);
    await bad('type=rave', ['type.0']);
    await bad('from=tomorrow', ['from']);
    await bad('from=2030-02-01&to=2030-01-01', ['to']);
    await bad('sort=relevance', ['sort']);
    await bad('cursor=not-a-cursor', ['cursor']);
    await bad(`q=${'x'.repeat(201)}`, ['q']);
  });
});

describe('pages of the catalogue', () => {
  it('walks every event once, in date order, including events that start at the same moment', async () => {
    const tag = uniqueWord();
    const sameMoment = inDays(12);
    const made: { id: string; startsAt: string }[] = [];
    for (let index = 0; index < 23; index += 1) {
      const startsAt = index % 3 === 0 ? sameMoment : inDays(3 + index, index % 24);
      made.push(await published(ada, { tags: [tag], startsAt }));
    }
    const expected = [...made]
      .sort((a, b) => a.startsAt.localeCompare(b.startsAt) || a.id.localeCompare(b.id))
      .map((event) => event.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search(`tag=${tag}&limit=5${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(5);
      seen.push(...ids(page));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toEqual(expected);
  });

  it('walks search results by relevance without repeating or skipping one', async () => {
    const word = uniqueWord();
    const made = new Set<string>();
    for (let index = 0; index < 9; index += 1) {
      const where = index % 3;
      const event = await published(ada, {
        name: where === 0 ? `${word} night ${index}` : `Night ${index}`,
        tags: where === 1 ? [word] : ['other'],
        description: where === 2 ? `With ${word}.` : 'No match here.',
        startsAt: index < 6 ? inDays(8) : inDays(8 + index),
      });
      made.add(event.id);
    }
    const seen: string[] = [];
    const ranks: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await search(`q=${word}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(page));
      ranks.push(...page.items.map((item: { rank: number }) => item.rank));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(9);
    expect(new Set(seen)).toEqual(made);
    expect([...ranks].sort((a, b) => b - a)).toEqual(ranks);
    // A cursor from one order is refused by the other.
    const first = await search(`q=${word}&limit=2`);
    const mixed = await api('GET', `/v1/events?q=${word}&sort=date&cursor=${first.nextCursor}`);
    expect(mixed.status).toBe(400);
  });
});

describe('the cache', () => {
  it('answers hot reads from Redis until the catalogue changes', async () => {
    expect(platform.redis).toBe('up');
    const word = uniqueWord();
    const event = await published(ada, { name: `Cached ${word}` });
    expect((await search(`q=${word}`)).items[0].name).toBe(`Cached ${word}`);
    expect((await api('GET', `/v1/events/${event.id}`)).body.name).toBe(`Cached ${word}`);

    // A change behind the API's back is not seen: both reads come from the cache...
    await events.query('UPDATE events SET name = $2 WHERE id = $1', [event.id, `Sneaky ${word}`]);
    expect((await search(`q=${word}`)).items[0].name).toBe(`Cached ${word}`);
    expect((await api('GET', `/v1/events/${event.id}`)).body.name).toBe(`Cached ${word}`);

    // ...until any change through the API moves the catalogue to a new version (the page once the edge's copy of
    // it, at most a second old, has expired).
    const other = await published(ada);
    await api('PATCH', `/v1/events/${other.id}`, {
      token: ada.accessToken,
      body: { description: 'Changed.' },
    });
    const changed = Date.now();
    expect((await search(`q=${word}`)).items[0].name).toBe(`Sneaky ${word}`);
    const stale = await staleFor(pageName(event.id), (name) => name === `Sneaky ${word}`, changed);
    expect(stale).toBeLessThanOrEqual(EDGE_MS + READ_MARGIN_MS);
  });

  it('never shows an outdated event after a change, a cancellation or a publication', async () => {
    const word = uniqueWord();
    const event = await published(ada, { name: `Opening ${word}` });
    expect((await search(`q=${word}`)).items[0].name).toBe(`Opening ${word}`);
    expect((await api('GET', `/v1/events/${event.id}`)).body.name).toBe(`Opening ${word}`);

    await api('PATCH', `/v1/events/${event.id}`, {
      token: ada.accessToken,
      body: { name: `Grand opening ${word}` },
    });
    const changed = Date.now();
    expect((await search(`q=${word}`)).items[0].name).toBe(`Grand opening ${word}`);
    const stale = await staleFor(pageName(event.id), (name) => name === `Grand opening ${word}`, changed);
    expect(stale).toBeLessThanOrEqual(EDGE_MS + READ_MARGIN_MS);

    const second = await published(ada, { name: `Second ${word}` });
    expect(ids(await search(`q=${word}&sort=date`))).toHaveLength(2);

    await api('POST', `/v1/events/${second.id}/cancel`, { token: ada.accessToken });
    expect(ids(await search(`q=${word}&sort=date`))).toEqual([event.id]);
    expect((await api('GET', `/v1/events/${second.id}`)).body.status).toBe('cancelled');
  });
});

describe('when the tickets service cannot answer', () => {
  it('still shows event pages and the organizer’s views, with remaining tickets marked unknown, and no 5xx', async () => {
    const event = await published(ada);
    const key = functionNameEnv('tickets.availability');
    const real = process.env[key];
    // The runtime then answers as Lambda does for a function that is gone: ResourceNotFound, on every retry.
    process.env[key] = 'tickets-availability-gone';
    try {
      // A snapshot an earlier read left is served until it expires (at most SNAPSHOT_TTL_MS): no seats change here.
      const page = await waitUntil(async () => {
        const answer = await api('GET', `/v1/events/${event.id}`);
        expect(answer.status).toBe(200);
        return answer.headers.get('x-degraded') ? answer : undefined;
      });
      expect(page.headers.get('x-degraded')).toBe('availability-unavailable');
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.body).toMatchObject({
        id: event.id,
        name: event.name,
        status: 'published',
        remaining: null,
        degraded: { reason: 'availability-unavailable', message: expect.any(String) },
      });
      expect(page.body.ticketTiers.map((tier: { remaining: unknown }) => tier.remaining)).toEqual([
        null,
        null,
      ]);

      const own = await api('GET', `/v1/organizer/events/${event.id}`, { token: ada.accessToken });
      expect(own.status).toBe(200);
      expect(own.headers.get('x-degraded')).toBe('availability-unavailable');
      expect(own.body).toMatchObject({ sold: null, remaining: null, capacity: 100 });

      // The catalogue needs no availability and is not degraded.
      const list = await api('GET', `/v1/events?tag=jazz&limit=1`);
      expect(list.status).toBe(200);
      expect(list.headers.get('x-degraded')).toBeNull();
    } finally {
      process.env[key] = real;
    }
    const recovered = await api('GET', `/v1/events/${event.id}`);
    expect(recovered.headers.get('x-degraded')).toBeNull();
    expect(recovered.body.remaining).toBe(100);
  });
});
