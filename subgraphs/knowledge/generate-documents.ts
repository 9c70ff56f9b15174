import { PRODUCT_FAMILIES, PRODUCTS, type ProductFamily, type ProductUnit } from '../shared/catalogue.js';
import { customerId, demoCustomers, REGIONS, type DemoCustomer, type Segment } from '../shared/demo-customers.js';
import { DATA_AS_OF, DAY_MS, isoTimestamp } from '../shared/dates.js';
import { createRandom, deriveSeed, type Random } from '../shared/random.js';
import type { DocumentTemplate } from './template.js';
import { CUSTOMER_TEMPLATES } from './templates-customer.js';
import { GENERAL_TEMPLATES } from './templates-general.js';

export type Classification = 'PUBLIC' | 'INTERNAL' | 'CONFIDENTIAL';

export interface DocumentRecord {
  /** `D-001` .. */
  readonly id: string;
  readonly title: string;
  readonly summary: string;
  /** Paragraphs separated by a blank line. */
  readonly body: string;
  readonly classification: Classification;
  readonly tags: readonly string[];
  readonly customerId: string | null;
  readonly updatedAt: string;
}

type Plan = readonly [template: DocumentTemplate, classification: Classification, customer?: string];

const T = { ...CUSTOMER_TEMPLATES, ...GENERAL_TEMPLATES };

// Which documents exist. The first five customers get several documents each, so that demos
// of one customer find notes, plans and reviews; 12 of 60 documents (20%) are confidential.
const PINNED: readonly Plan[] = [
  [T.accountPlan, 'CONFIDENTIAL', customerId(1)],
  [T.meetingNotes, 'INTERNAL', customerId(1)],
  [T.securityReview, 'CONFIDENTIAL', customerId(1)],
  [T.meetingNotes, 'INTERNAL', customerId(2)],
  [T.incidentReport, 'INTERNAL', customerId(2)],
  [T.accountPlan, 'INTERNAL', customerId(3)],
  [T.renewalRisk, 'CONFIDENTIAL', customerId(3)],
  [T.securityReview, 'INTERNAL', customerId(4)],
  [T.meetingNotes, 'INTERNAL', customerId(4)],
  [T.onboardingPlan, 'INTERNAL', customerId(5)],
  [T.incidentReport, 'INTERNAL', customerId(5)],
];
const ABOUT_OTHER_CUSTOMERS: readonly (readonly [DocumentTemplate, Classification, number])[] = [
  [T.meetingNotes, 'INTERNAL', 6],
  [T.accountPlan, 'CONFIDENTIAL', 2],
  [T.accountPlan, 'INTERNAL', 2],
  [T.securityReview, 'CONFIDENTIAL', 1],
  [T.securityReview, 'INTERNAL', 2],
  [T.incidentReport, 'INTERNAL', 3],
  [T.renewalRisk, 'CONFIDENTIAL', 2],
  [T.onboardingPlan, 'INTERNAL', 1],
];
const GENERAL: readonly (readonly [DocumentTemplate, Classification, number])[] = [
  [T.productGuide, 'PUBLIC', 8],
  [T.pricingPolicy, 'INTERNAL', 3],
  [T.discountMatrix, 'CONFIDENTIAL', 1],
  [T.securityOverview, 'PUBLIC', 2],
  [T.dataResidency, 'PUBLIC', 2],
  [T.postmortem, 'INTERNAL', 4],
  [T.releaseNotes, 'PUBLIC', 4],
  [T.battlecard, 'CONFIDENTIAL', 3],
  [T.supportRunbook, 'INTERNAL', 3],
];

const PEOPLE = ['Priya Raman', 'Jonas Becker', 'Amelia Clarke', 'Diego Alvarez', 'Sofia Lindgren', 'Kwame Mensah', 'Hannah Weiss', 'Lucas Moreau', 'Mei Tanaka', 'Oliver Grant', 'Fatima Al-Sayed', 'Tomás Novak', 'Grace Okonkwo', 'Henrik Dahl', 'Isabel Ortega', 'Ravi Shah'];
const CONTACTS = ['Maria Lopez', 'Thomas Keller', 'Aisha Bello', 'Erik Johansson', 'Chloe Martin', 'Kenji Watanabe', 'Laura Bianchi', 'David Cohen', 'Nora Fischer', 'Samuel Adeyemi', 'Elena Popescu', 'James Whitaker'];
const COMPETITORS = ['Vantage Cloud', 'Orbital Systems', 'Keystone Software', 'Northbeam'];
const SEGMENT_WORDS: Readonly<Record<Segment, string>> = { ENTERPRISE: 'enterprise', MID_MARKET: 'mid-market', SMB: 'small-business', PUBLIC_SECTOR: 'public-sector' };
const UNIT_WORDS: Readonly<Record<ProductUnit, string>> = { seat: 'user seat', subscription: 'subscription', 'service-day': 'service day', device: 'device', pack: 'capacity pack' };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const longDate = (ms: number): string => {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};
const monthYear = (iso: string): string => {
  const d = new Date(iso);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};
const grouped = (n: number): string => n.toLocaleString('en-US');

function documentVars(
  random: Random,
  updatedAt: number,
  customer: DemoCustomer | undefined,
  families: readonly ProductFamily[],
): Record<string, string> {
  const family = random.pick(families);
  const family2 = random.pick(PRODUCT_FAMILIES.filter((f) => f !== family));
  const product = random.pick(PRODUCTS.filter((p) => p.family === family.name));
  const [owner = '', csm = '', engineer = '', exec = ''] = random.sample(PEOPLE, 4);
  const currency = customer?.currency ?? 'USD';
  return {
    customer: customer?.name ?? '',
    since: customer ? monthYear(customer.customerSince) : '',
    region: customer?.region ?? random.pick(REGIONS).name,
    segment: SEGMENT_WORDS[customer?.segment ?? random.pick<Segment>(['ENTERPRISE', 'MID_MARKET', 'SMB', 'PUBLIC_SECTOR'])],
    currency,
    family: family.name,
    family2: family2.name,
    purpose: family.purpose,
    purpose2: family2.purpose,
    product: product.name,
    unit: UNIT_WORDS[product.unit],
    owner,
    csm,
    engineer,
    exec,
    contact: random.pick(CONTACTS),
    competitor: random.pick(COMPETITORS),
    fy: 'FY27',
    quarter: `${random.pick(['Q1', 'Q2', 'Q3', 'Q4'])} FY27`,
    date: longDate(updatedAt - random.int(1, 30) * DAY_MS),
    ticket: `INC-${random.int(1000, 9999)}`,
    version: `${random.int(3, 7)}.${random.int(0, 20)}`,
    pct: String(random.int(5, 35)),
    pct2: String(random.int(8, 25)),
    days: String(random.pick([14, 21, 30, 45, 60, 90])),
    count: String(random.int(3, 40)),
    hours: String(random.int(2, 9)),
    seats: grouped(random.int(5, 250) * 10),
    amount: `${currency} ${grouped(random.int(4, 160) * 5000)}`,
  };
}

function fill(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (!value) throw new Error(`document template uses {${name}}, which has no value here`);
    return value;
  });
}

// The closing paragraph says who may read the document, as real document headers do.
const HANDLING: Readonly<Record<Classification, string>> = {
  PUBLIC: 'This document is public and may be shared with customers and prospects. It is maintained by {owner} and reviewed every six months; send corrections through the documentation feedback form.',
  INTERNAL: 'Internal document: share it within the company only, not with customers or partners. Owner: {owner}. It is reviewed at least once a year; outdated copies in email or chat should be deleted.',
  CONFIDENTIAL: 'Confidential: access is limited to the account team and sales leadership. Do not forward, print or paste this document into external tools. Owner: {owner}; ask them before sharing any part of it.',
};

function write(
  random: Random,
  template: DocumentTemplate,
  classification: Classification,
  vars: Readonly<Record<string, string>>,
): { title: string; summary: string; body: string } {
  const paragraphs = template.paragraphs.map((pool) => {
    // Most of each pool, so that documents of one kind still differ.
    const count = Math.max(Math.min(3, pool.length), pool.length - random.int(0, 1));
    const chosen = random.sample([...pool.keys()], count).sort((a, b) => a - b);
    return chosen.map((i) => fill(pool[i] ?? '', vars)).join(' ');
  });
  paragraphs.push(fill(HANDLING[classification], vars));
  // Titles and summaries come in pairs: the summary describes the document the title names.
  const variant = random.int(0, template.titles.length - 1);
  return {
    title: fill(template.titles[variant] ?? '', vars),
    summary: fill(template.summaries[variant % template.summaries.length] ?? '', vars),
    body: paragraphs.join('\n\n'),
  };
}

/**
 * The knowledge base of `seed`: 60 documents `D-001`..`D-060`, half of them about a customer
 * of the same seed's roster (several about `C-0001`..`C-0005`), 20% confidential.
 */
export function demoDocuments(seed: number, customers: readonly DemoCustomer[] = demoCustomers(seed)): DocumentRecord[] {
  const random = createRandom(deriveSeed(seed, 'knowledge'));
  const byId = new Map(customers.map((customer) => [customer.id, customer]));
  const others = random.sample(customers.slice(5), ABOUT_OTHER_CUSTOMERS.reduce((sum, [, , n]) => sum + n, 0));
  const plan: Plan[] = [
    ...PINNED,
    ...ABOUT_OTHER_CUSTOMERS.flatMap(([template, classification, n]) =>
      Array.from({ length: n }, (): Plan => [template, classification, others.pop()?.id]),
    ),
    ...GENERAL.flatMap(([template, classification, n]) => Array.from({ length: n }, (): Plan => [template, classification])),
  ];
  const titles = new Set<string>();
  // Product families already covered by each kind: eight guides are about eight products.
  const covered = new Map<string, Set<ProductFamily>>();
  const documents = random.shuffle(plan).map(([template, classification, about], i) => {
    const customer = about === undefined ? undefined : byId.get(about);
    const updatedAt = DATA_AS_OF - random.int(1, 540) * DAY_MS + random.int(7 * 3600, 19 * 3600) * 1000;
    const seen = covered.get(template.kind) ?? new Set<ProductFamily>();
    covered.set(template.kind, seen);
    const fresh = PRODUCT_FAMILIES.filter((f) => !seen.has(f));
    const compose = () => {
      const vars = documentVars(random, updatedAt, customer, fresh.length > 0 ? fresh : PRODUCT_FAMILIES);
      return { vars, text: write(random, template, classification, vars) };
    };
    let { vars, text } = compose();
    // Titles are unique, so that a title names one document.
    for (let attempt = 0; titles.has(text.title) && attempt < 20; attempt++) ({ vars, text } = compose());
    titles.add(text.title);
    const familyOfDoc = PRODUCT_FAMILIES.find((f) => f.name === vars['family']);
    if (familyOfDoc) seen.add(familyOfDoc);
    const family = PRODUCT_FAMILIES.find((f) => text.title.includes(f.name) || text.summary.includes(f.name));
    const tags = [...template.tags];
    if (family) tags.push(family.name.toLowerCase().replace(/ /g, '-'));
    if (customer) tags.push(SEGMENT_WORDS[customer.segment]);
    return {
      id: `D-${String(i + 1).padStart(3, '0')}`,
      ...text,
      classification,
      tags,
      customerId: customer?.id ?? null,
      updatedAt: isoTimestamp(updatedAt),
    } satisfies DocumentRecord;
  });
  return documents;
}
