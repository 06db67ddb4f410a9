// A ticket's QR payload: verifiable offline with the published keys alone, and worthless once altered.
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { QR_ALG, signQr, verifyQr } from '../../../functions/tickets/qr';
import { withTicketQrs } from '../../../functions/tickets/qr-message';

const ticket = {
  ticketId: '5b0f0c8e-4a4e-4f43-9a55-3f2b1b7c9d01',
  eventId: '0e6a9f3c-2d1b-4c8e-8f7a-6b5c4d3e2f10',
};

async function key(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair(QR_ALG, { crv: 'Ed25519', extractable: true });
  return { signer: { kid, key: privateKey }, jwk: { ...(await exportJWK(publicKey)), kid, alg: QR_ALG } };
}

describe('QR payload', () => {
  it('verifies with the published key and names the ticket and its event', async () => {
    // Prepare
    const { signer, jwk } = await key('k1');
    // Act
    const payload = await signQr(ticket, signer);
    // Assess
    expect(payload.length).toBeLessThan(300);
    expect(await verifyQr(payload, { keys: [jwk] })).toEqual(ticket);
  });

  it('fails when any one character changes', async () => {
    const { signer, jwk } = await key('k1');
    const payload = await signQr(ticket, signer);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const accepted: number[] = [];
    for (let i = 0; i < payload.length; i++) {
      if (payload[i] === '.') continue;
      const swapped = alphabet[(alphabet.indexOf(payload[i] as string) + 1) % alphabet.length];
      const altered = payload.slice(0, i) + swapped + payload.slice(i + 1);
      if ((await verifyQr(altered, { keys: [jwk] })) !== undefined) accepted.push(i);
    }
    // The last character of the signature carries padding bits that base64url decoders may ignore; any other
    // change must fail.
    expect(accepted.filter((i) => i !== payload.length - 1)).toEqual([]);
  });

  it('is refused when signed by a key that is not published', async () => {
    const ours = await key('k1');
    const theirs = await key('k1');
    expect(await verifyQr(await signQr(ticket, theirs.signer), { keys: [ours.jwk] })).toBeUndefined();
  });

  it('verifies with the previous key still published after a rotation', async () => {
    const old = await key('old');
    const current = await key('new');
    const payload = await signQr(ticket, old.signer);
    expect(await verifyQr(payload, { keys: [current.jwk, old.jwk] })).toEqual(ticket);
  });

  it('refuses junk and a typed ticket code without throwing', async () => {
    const { jwk } = await key('k1');
    for (const junk of ['', 'ABCDE-FGHJK-MNPQR-STVWX', 'a.b.c', '{}'])
      expect(await verifyQr(junk, { keys: [jwk] })).toBeUndefined();
  });
});

describe('TicketPurchased with QR codes', () => {
  it("gives each ticket the signed payload of its QR code, which names that ticket and the order's event", async () => {
    const { signer, jwk } = await key('k1');
    const data = {
      orderId: '9b0f0c8e-4a4e-4f43-9a55-3f2b1b7c9d01',
      eventId: ticket.eventId,
      buyer: { userId: '8b0f0c8e-4a4e-4f43-9a55-3f2b1b7c9d01', email: 'ada@example.com', firstName: 'Ada' },
      event: {
        name: 'Show',
        startsAt: '2026-06-01T19:00:00Z',
        endsAt: '2026-06-01T22:00:00Z',
        timezone: 'Europe/Paris',
        place: 'Olympia, Paris, FR',
      },
      items: [],
      tickets: [ticket.ticketId, '7b0f0c8e-4a4e-4f43-9a55-3f2b1b7c9d01'].map((id) => ({
        id,
        tierId: '6b0f0c8e-4a4e-4f43-9a55-3f2b1b7c9d01',
        tierName: 'Standard',
        code: 'ABCDE-FGHJK-MNPQR-STVWX',
      })),
      total: 0,
      currency: 'EUR',
    };
    const signed = await withTicketQrs(data, (claims) => signQr(claims, signer));
    for (const each of signed.tickets)
      expect(await verifyQr(each.qr ?? '', { keys: [jwk] })).toEqual({
        ticketId: each.id,
        eventId: ticket.eventId,
      });
  });
});
