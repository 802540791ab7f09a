// An order taken at the stall, and how it travels: JSON value, the order id as key (ids are unique
// per tab: <tab>-<n>), the tab in a header.

export interface Order {
  id: string;
  item: string;
  quantity: number;
  /** Price per unit in cents, from the price list the stall had when the order was taken. */
  unitPrice: number;
  customer: string;
  takenAt: number;
  tab: string;
}

/** An order as read back from the local log. */
export interface LoggedOrder {
  partition: number;
  offset: number;
  order: Order;
}

export interface PriceEntry {
  item: string;
  /** Cents. */
  price: number;
  unit: string;
}

/** What the stall sells when no price list has been downloaded yet (first start while offline). */
export const DEFAULT_PRICES: readonly PriceEntry[] = [
  { item: "apples", price: 250, unit: "kg" },
  { item: "pears", price: 300, unit: "kg" },
  { item: "eggs", price: 420, unit: "dozen" },
  { item: "honey", price: 850, unit: "jar" },
  { item: "bread", price: 380, unit: "loaf" },
  { item: "cheese", price: 1200, unit: "kg" },
];

export const formatCents = (cents: number) => `€${(cents / 100).toFixed(2)}`;

/** A short random id for this tab, so orders from two tabs never share an id. */
export function newTabId(): string {
  return Math.random().toString(36).slice(2, 6);
}

/** Reads an order value; null for anything that is not one (the log is shared, so be strict). */
export function parseOrder(value: unknown): Order | null {
  if (typeof value !== "object" || value === null) return null;
  const o = value as Partial<Order>;
  if (typeof o.id !== "string" || typeof o.item !== "string" || typeof o.quantity !== "number") return null;
  return {
    id: o.id,
    item: o.item,
    quantity: o.quantity,
    unitPrice: typeof o.unitPrice === "number" ? o.unitPrice : 0,
    customer: typeof o.customer === "string" ? o.customer : "",
    takenAt: typeof o.takenAt === "number" ? o.takenAt : 0,
    tab: typeof o.tab === "string" ? o.tab : "",
  };
}
