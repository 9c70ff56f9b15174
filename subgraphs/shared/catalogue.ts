/**
 * The demo company's product catalogue: what orders contain and what product guides in the
 * knowledge base describe. Prices are list prices in cents, per unit, in the price list's
 * currency (see {@link PRICE_LIST_FACTORS}).
 */

export type ProductUnit = 'seat' | 'subscription' | 'service-day' | 'device' | 'pack';

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly family: string;
  readonly unit: ProductUnit;
  readonly listPriceCents: number;
}

export interface ProductFamily {
  readonly name: string;
  /** What the family does, as a product guide would say it in one phrase. */
  readonly purpose: string;
  readonly code: string;
}

export const PRODUCT_FAMILIES: readonly ProductFamily[] = [
  { name: 'Atlas Analytics', code: 'ATL', purpose: 'self-service dashboards and governed metrics' },
  { name: 'Beacon Monitoring', code: 'BCN', purpose: 'infrastructure and application monitoring with alerting' },
  { name: 'Conduit Integration', code: 'CND', purpose: 'event streaming and API integration between business systems' },
  { name: 'Ledger Billing', code: 'LDG', purpose: 'subscription billing, invoicing and revenue recognition' },
  { name: 'Sentinel Security', code: 'SNT', purpose: 'identity governance, single sign-on and audit trails' },
  { name: 'Harbor Storage', code: 'HBR', purpose: 'encrypted object storage with regional data residency' },
  { name: 'Relay Messaging', code: 'RLY', purpose: 'transactional email, SMS and in-app notifications' },
  { name: 'Compass Field Service', code: 'CMP', purpose: 'scheduling and dispatch for field technicians' },
];

type Row = readonly [suffix: string, name: string, unit: ProductUnit, listPrice: number];

// Five offers per family: editions, an add-on, and services or hardware.
const OFFERS: Readonly<Record<string, readonly Row[]>> = {
  ATL: [['STR', 'Starter seat', 'seat', 29], ['PRO', 'Professional seat', 'seat', 79], ['ENT', 'Enterprise seat', 'seat', 149], ['CON', 'Data connector pack', 'pack', 1_200], ['ONB', 'Onboarding workshop', 'service-day', 1_800]],
  BCN: [['HST', 'Host license', 'subscription', 18], ['APM', 'APM add-on per host', 'subscription', 31], ['LOG', 'Log retention 30 days (100 GB)', 'pack', 450], ['SYN', 'Synthetic checks pack', 'pack', 260], ['IMP', 'Implementation service', 'service-day', 1_650]],
  CND: [['CORE', 'Integration runtime', 'subscription', 2_400], ['CNX', 'Premium connector', 'subscription', 390], ['MSG', 'Event throughput block (10M events)', 'pack', 520], ['HA', 'High-availability cluster', 'subscription', 3_900], ['ARC', 'Integration architecture review', 'service-day', 2_100]],
  LDG: [['BAS', 'Billing Basic', 'subscription', 990], ['GRW', 'Billing Growth', 'subscription', 2_490], ['REV', 'Revenue recognition module', 'subscription', 1_450], ['TAX', 'Tax calculation add-on', 'subscription', 380], ['MIG', 'Billing data migration', 'service-day', 1_900]],
  SNT: [['SSO', 'SSO user', 'seat', 4], ['IGA', 'Identity governance user', 'seat', 9], ['AUD', 'Audit trail retention (1 year)', 'pack', 1_100], ['KEY', 'Hardware security key', 'device', 55], ['PEN', 'Penetration test', 'service-day', 2_400]],
  HBR: [['STD', 'Standard storage (1 TB)', 'pack', 23], ['ARC', 'Archive storage (10 TB)', 'pack', 40], ['RES', 'Data residency add-on', 'subscription', 600], ['CMK', 'Customer-managed keys', 'subscription', 350], ['GW', 'Storage gateway appliance', 'device', 4_800]],
  RLY: [['EML', 'Email block (100k messages)', 'pack', 85], ['SMS', 'SMS block (10k messages)', 'pack', 420], ['PSH', 'Push notifications tier', 'subscription', 199], ['DIP', 'Dedicated sending IP', 'subscription', 60], ['TPL', 'Template design service', 'service-day', 1_200]],
  CMP: [['TEC', 'Technician seat', 'seat', 65], ['DSP', 'Dispatcher seat', 'seat', 110], ['RTE', 'Route optimisation add-on', 'subscription', 900], ['TAB', 'Rugged tablet', 'device', 1_350], ['TRN', 'On-site training', 'service-day', 1_500]],
};

export const PRODUCTS: readonly Product[] = PRODUCT_FAMILIES.flatMap((family) =>
  (OFFERS[family.code] ?? []).map(([suffix, name, unit, price]) => ({
    sku: `${family.code}-${suffix}`,
    name: `${family.name} ${name}`,
    family: family.name,
    unit,
    listPriceCents: price * 100,
  })),
);

/** Price lists per currency, relative to the USD list. */
export const PRICE_LIST_FACTORS: Readonly<Record<string, number>> = { USD: 1, EUR: 0.95, GBP: 0.82 };
