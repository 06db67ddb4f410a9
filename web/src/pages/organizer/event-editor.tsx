// Create or edit an event: type, tags, description, times in the event's own time zone, a venue or an online link,
// capacity and ticket tiers; once it exists, images (presigned upload), publish, and cancel with a reason.

import { useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, type paths, unwrap } from '../../api/client';
import { RequireUser } from '../../components/layout';
import { Alert, Loading, useLoad } from '../../components/ui';
import { EVENT_TYPES, type EventType } from '../../lib/event-types';
import { fromMinor, toMinor, utcToZoned, zonedToUtc } from '../../lib/format';
import { imageTypeOf, uploadTo } from '../../lib/upload';
import { StatusBadge } from './home';

type OwnEvent = paths['/v1/organizer/events/{id}']['get']['responses'][200]['content']['application/json'];
interface TierDraft {
  id?: string;
  name: string;
  price: string;
  currency: string;
  quantity: number;
}

const defaultZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const zones = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['UTC'];
  }
})();

export function EventEditorPage() {
  return (
    <RequireUser>
      <EventEditor />
    </RequireUser>
  );
}

function EventEditor() {
  const { params } = useRoute();
  const id = params.id;
  const [load, reload] = useLoad(
    () =>
      id
        ? unwrap(api.GET('/v1/organizer/events/{id}', { params: { path: { id } } }))
        : Promise.resolve(undefined),
    [id],
  );
  // Kept here, not in the form: a saved change remounts the form with the event as it now stands.
  const [notice, setNotice] = useState<Notice>();
  if (load.state === 'loading') return <Loading />;
  if (load.state === 'error') return <Alert>{load.message}</Alert>;
  return (
    <EventForm
      key={load.data?.updatedAt ?? 'new'}
      event={load.data}
      reload={reload}
      notice={notice}
      setNotice={setNotice}
    />
  );
}

type Notice = { kind: 'success' | 'error'; text: string } | undefined;

function EventForm({
  event,
  reload,
  notice,
  setNotice,
}: {
  event: OwnEvent | undefined;
  reload: () => void;
  notice: Notice;
  setNotice: (notice: Notice) => void;
}) {
  const { route } = useLocation();
  const [timezone, setTimezone] = useState(event?.timezone ?? defaultZone());
  const [online, setOnline] = useState(event ? 'onlineUrl' in event.location : false);
  const [tiers, setTiers] = useState<TierDraft[]>(
    event?.ticketTiers.map((tier) => ({ ...tier, price: fromMinor(tier.price, tier.currency) })) ?? [
      { name: 'General admission', price: '25.00', currency: 'EUR', quantity: 100 },
    ],
  );
  const [busy, setBusy] = useState(false);
  const [refunds, setRefunds] = useState(event ? event.refundUntilHoursBefore !== null : true);
  const location = event?.location;

  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    setNotice(undefined);
    try {
      await what();
    } catch (error) {
      setNotice({ kind: 'error', text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const save = (submit: Event) => {
    submit.preventDefault();
    const form = new FormData(submit.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const body = {
      name: text('name'),
      type: text('type') as EventType,
      description: text('description'),
      tags: text('tags')
        .split(',')
        .map((tag) => tag.trim())
        .filter(Boolean),
      timezone,
      startsAt: zonedToUtc(text('startsAt'), timezone),
      endsAt: zonedToUtc(text('endsAt'), timezone),
      capacity: Number(text('capacity')),
      location: online
        ? { onlineUrl: text('onlineUrl') }
        : { venue: text('venue'), address: text('address'), city: text('city'), country: text('country') },
      ticketTiers: tiers.map((tier) => ({
        ...(tier.id ? { id: tier.id } : {}),
        name: tier.name.trim(),
        currency: tier.currency.trim().toUpperCase(),
        price: toMinor(tier.price, tier.currency.trim().toUpperCase()),
        quantity: tier.quantity,
      })),
      holdMinutes: Number(text('holdMinutes')),
      refundUntilHoursBefore: refunds ? Number(text('refundUntilHoursBefore')) : null,
    };
    void run(async () => {
      if (event) {
        await unwrap(api.PATCH('/v1/events/{id}', { params: { path: { id: event.id } }, body }));
        setNotice({ kind: 'success', text: 'Saved.' });
        reload();
      } else {
        const created = await unwrap(api.POST('/v1/events', { body }));
        route(`/organizer/events/${created.id}/edit?created=1`, true);
      }
    });
  };

  const tierField = (index: number, patch: Partial<TierDraft>) =>
    setTiers((all) => all.map((tier, at) => (at === index ? { ...tier, ...patch } : tier)));

  return (
    <section class="narrow wide-form">
      <div class="row between">
        <h1>{event ? `Edit ${event.name}` : 'New event'}</h1>
        {event && <StatusBadge status={event.status} />}
      </div>
      {notice && <Alert kind={notice.kind}>{notice.text}</Alert>}
      {event?.status === 'cancelled' && <Alert>Cancelled: {event.cancelReason ?? 'no reason given'}.</Alert>}
      <form class="card stack" onSubmit={save} aria-label="Event details">
        <label>
          Name
          <input name="name" required maxLength={200} defaultValue={event?.name} />
        </label>
        <div class="row">
          <label>
            Type
            <select name="type" defaultValue={event?.type ?? 'concert'}>
              {EVENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {type}
                </option>
              ))}
            </select>
          </label>
          <label class="grow">
            Tags (comma-separated)
            <input name="tags" defaultValue={event?.tags.join(', ')} />
          </label>
        </div>
        <label>
          Description
          <textarea name="description" rows={6} defaultValue={event?.description} />
        </label>
        <div class="row">
          <label>
            Time zone
            <select value={timezone} onChange={(change) => setTimezone(change.currentTarget.value)}>
              {zones.map((zone) => (
                <option key={zone} value={zone}>
                  {zone}
                </option>
              ))}
            </select>
          </label>
          <label>
            Starts (local time)
            <input
              name="startsAt"
              type="datetime-local"
              required
              defaultValue={event ? utcToZoned(event.startsAt, event.timezone) : undefined}
            />
          </label>
          <label>
            Ends (local time)
            <input
              name="endsAt"
              type="datetime-local"
              required
              defaultValue={event ? utcToZoned(event.endsAt, event.timezone) : undefined}
            />
          </label>
        </div>
        <fieldset>
          <legend>Where</legend>
          <label class="inline">
            <input type="radio" name="where" checked={!online} onChange={() => setOnline(false)} /> At a venue
          </label>
          <label class="inline">
            <input type="radio" name="where" checked={online} onChange={() => setOnline(true)} /> Online
          </label>
          {online ? (
            <label>
              Online link
              <input
                name="onlineUrl"
                type="url"
                required
                defaultValue={location && 'onlineUrl' in location ? location.onlineUrl : ''}
              />
            </label>
          ) : (
            <div class="grid-2">
              {(['venue', 'address', 'city', 'country'] as const).map((field) => (
                <label key={field}>
                  {field[0]?.toUpperCase() + field.slice(1)}
                  <input
                    name={field}
                    required
                    defaultValue={location && !('onlineUrl' in location) ? location[field] : ''}
                  />
                </label>
              ))}
            </div>
          )}
        </fieldset>
        <label>
          Capacity (seats in all)
          <input
            name="capacity"
            type="number"
            min={1}
            required
            defaultValue={String(event?.capacity ?? 100)}
          />
        </label>
        <fieldset>
          <legend>Ticket tiers</legend>
          {tiers.map((tier, index) => (
            <div class="row tier-row" key={tier.id ?? index}>
              <label class="grow">
                Tier name
                <input
                  value={tier.name}
                  required
                  onInput={(e) => tierField(index, { name: e.currentTarget.value })}
                />
              </label>
              <label>
                Price
                <input
                  value={tier.price}
                  inputMode="decimal"
                  required
                  pattern="\d+([.,]\d{1,3})?"
                  onInput={(e) => tierField(index, { price: e.currentTarget.value.replace(',', '.') })}
                />
              </label>
              <label>
                Currency
                <input
                  value={tier.currency}
                  required
                  maxLength={3}
                  size={4}
                  onInput={(e) => tierField(index, { currency: e.currentTarget.value })}
                />
              </label>
              <label>
                Quantity
                <input
                  type="number"
                  min={1}
                  value={tier.quantity}
                  required
                  onInput={(e) => tierField(index, { quantity: Number(e.currentTarget.value) })}
                />
              </label>
              {!tier.id && tiers.length > 1 && (
                <button
                  type="button"
                  class="link"
                  onClick={() => setTiers((all) => all.filter((_, at) => at !== index))}
                >
                  Remove
                </button>
              )}
            </div>
          ))}
          <button
            type="button"
            onClick={() =>
              setTiers((all) => [
                ...all,
                { name: '', price: '0.00', currency: all[0]?.currency ?? 'EUR', quantity: 10 },
              ])
            }
          >
            Add a tier
          </button>
        </fieldset>
        <fieldset>
          <legend>Checkout</legend>
          <label>
            Seats held while a buyer pays (minutes)
            <input
              name="holdMinutes"
              type="number"
              min={5}
              max={60}
              required
              defaultValue={String(event?.holdMinutes ?? 15)}
            />
          </label>
          <label class="inline">
            <input type="checkbox" checked={refunds} onChange={(e) => setRefunds(e.currentTarget.checked)} />{' '}
            Attendees may cancel a paid order for a refund
          </label>
          {refunds && (
            <label>
              Until how many hours before the start (0: until it starts)
              <input
                name="refundUntilHoursBefore"
                type="number"
                min={0}
                max={720}
                required
                defaultValue={String(event?.refundUntilHoursBefore ?? 0)}
              />
            </label>
          )}
        </fieldset>
        <button type="submit" class="primary" disabled={busy || event?.status === 'cancelled'}>
          {event ? 'Save changes' : 'Create draft'}
        </button>
      </form>
      {event && <EventActions event={event} busy={busy} run={run} reload={reload} setNotice={setNotice} />}
    </section>
  );
}

function EventActions({
  event,
  busy,
  run,
  reload,
  setNotice,
}: {
  event: OwnEvent;
  busy: boolean;
  run: (what: () => Promise<void>) => Promise<void>;
  reload: () => void;
  setNotice: (notice: { kind: 'success' | 'error'; text: string }) => void;
}) {
  const [reason, setReason] = useState('');
  const id = event.id;
  const path = { params: { path: { id } } };
  return (
    <>
      <div class="card stack">
        <h2>Images</h2>
        <div class="gallery small">
          {event.images.map((image, index) => (
            <img
              key={image.key}
              src={image.url}
              alt={`${event.name}, upload ${index + 1}`}
              width={160}
              height={90}
            />
          ))}
        </div>
        <label>
          Add an image (PNG, JPEG or WebP, at most 5 MB)
          <input
            type="file"
            accept="image/png,image/jpeg,image/webp"
            disabled={busy || event.status === 'cancelled'}
            onChange={(change) => {
              const file = change.currentTarget.files?.[0];
              if (!file) return;
              void run(async () => {
                const form = await unwrap(
                  api.POST('/v1/events/{id}/images', {
                    ...path,
                    body: { contentType: imageTypeOf(file), sizeBytes: file.size },
                  }),
                );
                const key = await uploadTo(form, file);
                await unwrap(
                  api.PATCH('/v1/events/{id}', {
                    ...path,
                    body: { images: [...event.images.map((image) => image.key), key] },
                  }),
                );
                setNotice({ kind: 'success', text: 'Image added.' });
                reload();
              });
            }}
          />
        </label>
      </div>
      <div class="card stack">
        <h2>Sales</h2>
        {event.status === 'draft' && (
          <button
            type="button"
            class="primary"
            disabled={busy}
            onClick={() =>
              run(async () => {
                await unwrap(api.POST('/v1/events/{id}/publish', path));
                setNotice({ kind: 'success', text: 'Published: the event is on sale.' });
                reload();
              })
            }
          >
            Publish
          </button>
        )}
        {event.status === 'published' && (
          <p>
            On sale. <a href={`/events/${id}`}>See the public page</a> ·{' '}
            <a href={`/organizer/events/${id}`}>Dashboard</a>
          </p>
        )}
        {event.status !== 'cancelled' && (
          <form
            class="stack"
            aria-label="Cancel event"
            onSubmit={(submit) => {
              submit.preventDefault();
              if (!confirm('Cancel this event? Every order is cancelled and refunded.')) return;
              void run(async () => {
                // The route reads an optional JSON body ({ reason }) that its manifest does not declare, so the
                // generated types know no body: the cast is the one place the client steps outside them.
                await unwrap(
                  api.POST('/v1/events/{id}/cancel', {
                    ...path,
                    body: reason ? { reason } : undefined,
                  } as never),
                );
                setNotice({ kind: 'success', text: 'The event is cancelled.' });
                reload();
              });
            }}
          >
            <label>
              Reason for cancelling (sent to ticket holders)
              <input value={reason} maxLength={500} onInput={(e) => setReason(e.currentTarget.value)} />
            </label>
            <button type="submit" class="danger" disabled={busy}>
              Cancel event
            </button>
          </form>
        )}
      </div>
    </>
  );
}
