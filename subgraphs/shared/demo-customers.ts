import { createRandom, deriveSeed, type Random } from './random.js';
import { DATA_AS_OF, DAY_MS, isoDate } from './dates.js';

/**
 * The demo company's customers, generated from a seed. All three sample subgraphs derive
 * their view of the customers from this one roster, so ids, names and regions agree between
 * the CRM, the orders and the knowledge base of the same seed.
 */

export const CUSTOMER_COUNT = 300;

export type Segment = 'ENTERPRISE' | 'MID_MARKET' | 'SMB' | 'PUBLIC_SECTOR';

export interface Region {
  readonly name: string;
  readonly currency: string;
  /** Legal-form suffixes of companies there. */
  readonly suffixes: readonly string[];
  phone(random: Random): string;
}

export interface DemoCustomer {
  /** `C-0001` .. `C-0300` */
  readonly id: string;
  readonly name: string;
  /** `northwind-logistics`: the name without legal form, for email domains. */
  readonly slug: string;
  readonly segment: Segment;
  readonly region: string;
  readonly currency: string;
  /** ISO date. */
  readonly customerSince: string;
  readonly email: string;
  readonly phone: string;
}

const digits = (random: Random, count: number): string =>
  Array.from({ length: count }, () => String(random.int(0, 9))).join('');

// Fictional numbering ranges where countries reserve them (555-01xx, Ofcom's drama numbers).
export const REGIONS: readonly Region[] = [
  { name: 'North America', currency: 'USD', suffixes: ['Inc.', 'LLC', 'Corp.'], phone: (r) => `+1 ${r.pick(['212', '312', '415', '617', '206', '512', '416', '604'])} 555 01${digits(r, 2)}` },
  { name: 'Latin America', currency: 'USD', suffixes: ['S.A.', 'S.A. de C.V.', 'Ltda.'], phone: (r) => `+${r.pick(['52 55', '55 11', '57 1', '56 2'])} 5550 ${digits(r, 4)}` },
  { name: 'UK & Ireland', currency: 'GBP', suffixes: ['Ltd', 'plc', 'Ltd'], phone: (r) => `+44 20 7946 0${digits(r, 3)}` },
  { name: 'DACH', currency: 'EUR', suffixes: ['GmbH', 'AG', 'GmbH & Co. KG'], phone: (r) => `+${r.pick(['49 30', '49 89', '43 1', '41 44'])} 5550 ${digits(r, 4)}` },
  { name: 'Nordics', currency: 'EUR', suffixes: ['AB', 'AS', 'Oy', 'A/S'], phone: (r) => `+${r.pick(['46 8', '47 22', '358 9', '45 33'])} 555 ${digits(r, 4)}` },
  { name: 'Southern Europe', currency: 'EUR', suffixes: ['S.p.A.', 'S.L.', 'SAS', 'Lda.'], phone: (r) => `+${r.pick(['39 02', '34 91', '33 1', '351 21'])} 555 ${digits(r, 4)}` },
  { name: 'Middle East & Africa', currency: 'USD', suffixes: ['LLC', 'FZ-LLC', '(Pty) Ltd'], phone: (r) => `+${r.pick(['971 4', '27 21', '254 20', '966 11'])} 555 ${digits(r, 4)}` },
  { name: 'Asia Pacific', currency: 'USD', suffixes: ['Pte. Ltd.', 'Pty Ltd', 'K.K.', 'Ltd'], phone: (r) => `+${r.pick(['65', '61 2', '81 3', '852'])} 5550 ${digits(r, 4)}` },
];

const REGION_WEIGHTS: readonly (readonly [Region, number])[] = REGIONS.map((region, i) => [region, [28, 8, 12, 14, 8, 10, 7, 13][i] ?? 1] as const);

const SEGMENT_WEIGHTS: readonly (readonly [Segment, number])[] = [
  ['SMB', 40],
  ['MID_MARKET', 30],
  ['ENTERPRISE', 18],
  ['PUBLIC_SECTOR', 12],
];

const PREFIXES = ['North', 'South', 'East', 'West', 'Blue', 'Red', 'Silver', 'Green', 'Iron', 'Bright', 'Clear', 'Stone', 'Oak', 'Pine', 'Cedar', 'River', 'Summit', 'Harbor', 'Frost', 'Sun', 'Gold', 'High', 'Deep', 'Star'];
const ROOTS = ['wind', 'peak', 'field', 'bridge', 'gate', 'wood', 'line', 'point', 'view', 'crest', 'ridge', 'haven', 'brook', 'light', 'works', 'stream', 'vale', 'mark', 'shore', 'forge'];
const SURNAMES = ['Okafor', 'Lindqvist', 'Moreau', 'Castellano', 'Nakamura', 'Brennan', 'Hoffmann', 'Adeyemi', 'Kowalski', 'Haddad', 'Ferreira', 'Van Dijk', 'Sato', 'Mahler', 'Quinn', 'Rossi', 'Petrov', 'Delgado', 'Kaur', 'Whitfield'];
const INDUSTRIES = ['Logistics', 'Analytics', 'Foods', 'Pharmaceuticals', 'Energy', 'Manufacturing', 'Robotics', 'Textiles', 'Insurance', 'Capital', 'Health', 'Retail', 'Media', 'Telecom', 'Construction', 'Aerospace', 'Biotech', 'Software', 'Freight', 'Hospitality', 'Agritech', 'Materials', 'Semiconductors', 'Water Services', 'Mobility', 'Payments'];
const TOWNS = ['Ashford', 'Brookhaven', 'Eastmere', 'Kingsbridge', 'Westvale', 'Millbrook', 'Northfield', 'Redhill', 'Stonebridge', 'Lakeside', 'Fairhaven', 'Oakridge', 'Elmstead', 'Harrowgate', 'Marlow', 'Thornbury', 'Glenwood', 'Riverton', 'Ambleside', 'Castlebury'];
const DEPARTMENTS = ['Digital Services', 'Transport', 'Health and Care', 'Revenue and Customs', 'Education', 'Environment', 'Justice', 'Social Security'];

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function companyName(random: Random, segment: Segment, region: Region): { name: string; slug: string } {
  if (segment === 'PUBLIC_SECTOR') {
    const town = random.pick(TOWNS);
    const name = random.weighted<string>([
      [`City of ${town}`, 3],
      [`${town} County Council`, 3],
      [`${town} Regional Health Authority`, 2],
      [`${town} Water Board`, 1],
      [`${town} Transit Authority`, 1],
      [`${town} University`, 2],
      [`Department of ${random.pick(DEPARTMENTS)}`, 1],
    ]);
    return { name, slug: slugify(name) };
  }
  const industry = random.pick(INDUSTRIES);
  const base = random.weighted<string>([
    [`${random.pick(PREFIXES)}${random.pick(ROOTS)} ${industry}`, 6],
    [`${random.pick(SURNAMES)} & ${random.pick(SURNAMES)} ${industry}`, 2],
    [`${random.pick(TOWNS)} ${industry}`, 2],
  ]);
  return { name: `${base} ${random.pick(region.suffixes)}`, slug: slugify(base) };
}

/**
 * The roster for a seed: always {@link CUSTOMER_COUNT} customers, `C-0001` first.
 *
 * @example
 * demoCustomers(DEFAULT_SEED)[0].id; // 'C-0001'
 */
export function demoCustomers(seed: number): readonly DemoCustomer[] {
  const random = createRandom(deriveSeed(seed, 'customers'));
  const slugs = new Set<string>();
  const customers: DemoCustomer[] = [];
  const firstDay = Date.UTC(2012, 0, 1);
  const lastDay = DATA_AS_OF - 30 * DAY_MS;
  for (let n = 1; n <= CUSTOMER_COUNT; n++) {
    const segment = random.weighted(SEGMENT_WEIGHTS);
    const region = random.weighted(REGION_WEIGHTS);
    let company = companyName(random, segment, region);
    // Names are unique: a company's email domain identifies it.
    for (let attempt = 0; slugs.has(company.slug); attempt++) {
      company = companyName(random, segment, region);
      if (attempt > 50) company = { name: `${company.name} ${n}`, slug: `${company.slug}-${n}` };
    }
    slugs.add(company.slug);
    customers.push({
      id: customerId(n),
      name: company.name,
      slug: company.slug,
      segment,
      region: region.name,
      currency: region.currency,
      customerSince: isoDate(firstDay + Math.floor(random.next() * ((lastDay - firstDay) / DAY_MS)) * DAY_MS),
      email: `contact@${company.slug}.example`,
      phone: region.phone(random),
    });
  }
  return customers;
}

/** `customerId(7)` is `C-0007`. */
export function customerId(n: number): string {
  return `C-${String(n).padStart(4, '0')}`;
}
