// How a tier's seats are spread over slot rows and taken from them (see migration tier-slots): the rules only, no SQL.
// Slots let the buyers of a flash sale lock different rows; each slot is small enough to spread them and big
// enough that a whole order (at most 10 seats) fits in one slot until the tier is nearly sold out.

/** A slot holds at least this many seats when the tier is big enough: twice the largest order. */
export const SEATS_PER_SLOT = 20;
/** More slots than this would only cost reads: the database's own ceiling comes first. */
export const MAX_SLOTS = 16;

/** How many slots a tier of this size gets; a tier never loses slots (they hold what they sold). */
export function slotCount(quantity: number, existing = 0): number {
  const wanted = Math.min(MAX_SLOTS, Math.max(1, Math.floor(quantity / SEATS_PER_SLOT)));
  return Math.max(existing, wanted);
}

export interface SlotSales {
  slot: number;
  sold: number;
}

/**
 * Each slot's quantity for a tier of `quantity` seats: every slot keeps what it sold, and the seats still for sale
 * are spread evenly (the first slots take the remainder). Throws if the slots sold more than `quantity`: the caller
 * refuses that change first.
 */
export function spreadSeats(quantity: number, slots: SlotSales[]): { slot: number; quantity: number }[] {
  const sold = new Map(slots.map((slot) => [slot.slot, slot.sold]));
  const count = slotCount(quantity, Math.max(slots.length, ...slots.map((slot) => slot.slot + 1)));
  const all = Array.from({ length: count }, (_, slot) => ({ slot, sold: sold.get(slot) ?? 0 }));
  const total = all.reduce((sum, slot) => sum + slot.sold, 0);
  if (total > quantity) throw new Error(`a tier of ${quantity} seats cannot hold the ${total} it sold`);
  const left = quantity - total;
  const share = Math.floor(left / count);
  const extra = left % count;
  return all.map((slot, index) => ({
    slot: slot.slot,
    quantity: slot.sold + share + (index < extra ? 1 : 0),
  }));
}

export interface SlotLeft {
  slot: number;
  remaining: number;
}

export interface SlotTake {
  slot: number;
  take: number;
}

const bySlot = (a: SlotTake, b: SlotTake) => a.slot - b.slot;

/**
 * Where to take `quantity` seats from: one slot with enough left, picked at random so concurrent buyers spread over
 * the rows; when no slot has enough on its own, the fullest slots first (ties in random order, so buyers of the last
 * seats do not all aim at the same rows). Undefined when all the slots together hold fewer seats than asked: the
 * tier is sold out for this order. Takes come in slot order.
 */
export function planSlots(slots: SlotLeft[], quantity: number, random = Math.random): SlotTake[] | undefined {
  const open = slots.filter((slot) => slot.remaining > 0);
  if (open.reduce((sum, slot) => sum + slot.remaining, 0) < quantity) return undefined;
  const enough = open.filter((slot) => slot.remaining >= quantity);
  if (enough.length > 0) {
    const pick = enough[Math.floor(random() * enough.length)] ?? enough[0];
    if (pick) return [{ slot: pick.slot, take: quantity }];
  }
  const plan: SlotTake[] = [];
  let needed = quantity;
  const shuffled = open.map((slot) => ({ slot, order: random() }));
  shuffled.sort((a, b) => b.slot.remaining - a.slot.remaining || a.order - b.order);
  for (const { slot } of shuffled) {
    const take = Math.min(needed, slot.remaining);
    plan.push({ slot: slot.slot, take });
    needed -= take;
    if (needed === 0) break;
  }
  return plan.sort(bySlot);
}

/**
 * Which slots take back the seats of a cancelled order: the slots that sold the most first (an order does not
 * remember its slots, and any slot that sold seats of the tier can take them back). Throws if the slots sold fewer.
 */
export function returnSeats(slots: SlotSales[], quantity: number): SlotTake[] {
  const plan: SlotTake[] = [];
  let left = quantity;
  for (const slot of [...slots].sort((a, b) => b.sold - a.sold || a.slot - b.slot)) {
    if (left === 0) break;
    const take = Math.min(left, slot.sold);
    if (take > 0) plan.push({ slot: slot.slot, take });
    left -= take;
  }
  if (left > 0) throw new Error(`the slots sold fewer than the ${quantity} seats to give back`);
  return plan.sort(bySlot);
}
