// The rules of tier slots: seats spread evenly and kept when sold, a buyer's seats taken from one slot when one
// has enough, and never more than the slots hold.
import { describe, expect, it } from 'vitest';
import { MAX_SLOTS, planSlots, returnSeats, slotCount, spreadSeats } from '../../../functions/tickets/slots';

const total = (slots: { quantity: number }[]) => slots.reduce((sum, slot) => sum + slot.quantity, 0);

describe('spreading a tier over slots', () => {
  it('gives a small tier one slot and a big one up to the maximum, at least 20 seats each', () => {
    expect(spreadSeats(15, [])).toEqual([{ slot: 0, quantity: 15 }]);
    expect(spreadSeats(100, []).map((slot) => slot.quantity)).toEqual([20, 20, 20, 20, 20]);
    const big = spreadSeats(500, []);
    expect(big).toHaveLength(MAX_SLOTS);
    expect(total(big)).toBe(500);
    expect(
      Math.max(...big.map((slot) => slot.quantity)) - Math.min(...big.map((slot) => slot.quantity)),
    ).toBe(1);
  });

  it('keeps what each slot sold and spreads only the seats left when the tier grows or shrinks', () => {
    const sold = [
      { slot: 0, sold: 7 },
      { slot: 1, sold: 0 },
      { slot: 2, sold: 3 },
    ];
    const shrunk = spreadSeats(13, sold);
    expect(total(shrunk)).toBe(13);
    for (const slot of sold)
      expect(shrunk.find((s) => s.slot === slot.slot)?.quantity).toBeGreaterThanOrEqual(slot.sold);
    const grown = spreadSeats(1_000, sold);
    expect(grown).toHaveLength(MAX_SLOTS);
    expect(total(grown)).toBe(1_000);
    expect(grown[0]?.quantity).toBeGreaterThanOrEqual(7);
  });

  it('never drops a slot that exists, and refuses a quantity below what was sold', () => {
    expect(slotCount(20, 4)).toBe(4);
    expect(
      spreadSeats(
        20,
        [0, 1, 2, 3].map((slot) => ({ slot, sold: 1 })),
      ),
    ).toHaveLength(4);
    expect(() => spreadSeats(5, [{ slot: 0, sold: 6 }])).toThrow();
  });
});

describe('taking seats from slots', () => {
  const slots = [
    { slot: 0, remaining: 0 },
    { slot: 1, remaining: 5 },
    { slot: 2, remaining: 2 },
    { slot: 3, remaining: 9 },
  ];

  it('takes the whole order from one slot with enough left, chosen at random among them', () => {
    expect(planSlots(slots, 4, () => 0)).toEqual([{ slot: 1, take: 4 }]);
    expect(planSlots(slots, 4, () => 0.99)).toEqual([{ slot: 3, take: 4 }]);
    expect(planSlots(slots, 9, () => 0.5)).toEqual([{ slot: 3, take: 9 }]);
  });

  it('spreads the order over the fullest slots when no slot has enough on its own', () => {
    expect(planSlots(slots, 12)).toEqual([
      { slot: 1, take: 3 },
      { slot: 3, take: 9 },
    ]);
    expect(planSlots(slots, 16)).toEqual([
      { slot: 1, take: 5 },
      { slot: 2, take: 2 },
      { slot: 3, take: 9 },
    ]);
  });

  it('breaks ties between equally full slots at random, so buyers of the last seats aim at different rows', () => {
    const even = [0, 1, 2].map((slot) => ({ slot, remaining: 3 }));
    const sequence = (values: number[]) => () => values.shift() ?? 0;
    expect(planSlots(even, 4, sequence([0.9, 0.1, 0.5]))).toEqual([
      { slot: 1, take: 3 },
      { slot: 2, take: 1 },
    ]);
    expect(planSlots(even, 4, sequence([0.2, 0.8, 0.1]))).toEqual([
      { slot: 0, take: 1 },
      { slot: 2, take: 3 },
    ]);
  });

  it('answers sold out when all the slots together hold fewer seats than asked', () => {
    expect(planSlots(slots, 17)).toBeUndefined();
    expect(planSlots([], 1)).toBeUndefined();
  });
});

describe('giving seats back', () => {
  it('takes them back from the slots that sold the most, never below zero', () => {
    const sold = [
      { slot: 0, sold: 1 },
      { slot: 1, sold: 4 },
      { slot: 2, sold: 2 },
    ];
    expect(returnSeats(sold, 5)).toEqual([
      { slot: 1, take: 4 },
      { slot: 2, take: 1 },
    ]);
    expect(() => returnSeats(sold, 8)).toThrow();
  });
});
