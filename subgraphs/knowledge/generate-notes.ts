import { PRODUCT_FAMILIES } from '../shared/catalogue.js';
import { customerId, demoCustomers, type DemoCustomer } from '../shared/demo-customers.js';
import { DATA_AS_OF, DAY_MS, isoTimestamp } from '../shared/dates.js';
import { createRandom, deriveSeed, type Random } from '../shared/random.js';

/**
 * A note the account team wrote about a customer. Notes name the customer's people and how to
 * reach them: personal data, which is why the graph guards them with `Customers.PII.Read`.
 */
export interface NoteRecord {
  /** `N-001` .. */
  readonly id: string;
  readonly customerId: string;
  readonly author: string;
  readonly writtenAt: string;
  readonly text: string;
}

export const NOTE_COUNT = 48;

const AUTHORS = ['Priya Raman', 'Jonas Becker', 'Amelia Clarke', 'Diego Alvarez', 'Sofia Lindgren', 'Kwame Mensah', 'Hannah Weiss', 'Oliver Grant'];
const PEOPLE = ['Maria Lopez', 'Thomas Keller', 'Aisha Bello', 'Erik Johansson', 'Chloe Martin', 'Kenji Watanabe', 'Laura Bianchi', 'David Cohen', 'Nora Fischer', 'Samuel Adeyemi', 'Elena Popescu', 'James Whitaker'];
const ROLES = ['head of operations', 'IT director', 'procurement lead', 'CFO', 'platform team lead', 'data protection officer'];
const COMPETITORS = ['Vantage Cloud', 'Orbital Systems', 'Keystone Software', 'Northbeam'];

// Each note quotes a person of the customer and a way to reach them.
const TEMPLATES: readonly string[] = [
  'Call with {person} ({role}, {email}) about the {family} renewal: they want a multi-year price and a named support engineer. Follow-up call booked for next week.',
  'Met {person} on site. Direct line {phone}; prefers calls before 10:00. Budget for the {family} expansion is approved, but procurement wants three quotes.',
  '{person} ({role}) leaves the company at the end of the month; the new contact is not confirmed yet. Until then write to {email}.',
  'Escalation from {person}: the last invoice went to the wrong legal entity. They expect a corrected invoice within five days; reach them at {email}.',
  '{person} asked us not to contact their finance team directly any more: all commercial questions go through them ({phone}).',
  'Lunch with {person} ({role}): they are evaluating {competitor} for {purpose}. Renewal risk is real; keep the account director informed.',
  'Workshop with {person} and two engineers on {family}: they need single sign-on before rolling out to more teams. Send the security pack to {email}.',
];

function fill(template: string, vars: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = vars[name];
    if (!value) throw new Error(`note template uses {${name}}, which has no value here`);
    return value;
  });
}

function write(random: Random, customer: DemoCustomer): string {
  const person = random.pick(PEOPLE);
  const family = random.pick(PRODUCT_FAMILIES);
  const handle = person.toLowerCase().replace(/[^a-z]+/g, '.');
  return fill(random.pick(TEMPLATES), {
    person,
    role: random.pick(ROLES),
    email: `${handle}@${customer.slug}.example`,
    phone: customer.phone,
    family: family.name,
    purpose: family.purpose,
    competitor: random.pick(COMPETITORS),
  });
}

/**
 * The customer notes of `seed`: {@link NOTE_COUNT} notes `N-001`.., three about each of
 * `C-0001`..`C-0005` and the rest about other customers of the same seed's roster. Drawn from
 * their own random stream, so the documents of a seed do not change with them.
 */
export function demoNotes(seed: number, customers: readonly DemoCustomer[] = demoCustomers(seed)): NoteRecord[] {
  const random = createRandom(deriveSeed(seed, 'knowledge-notes'));
  const byId = new Map(customers.map((customer) => [customer.id, customer]));
  const pinned = [1, 2, 3, 4, 5].flatMap((n) => [customerId(n), customerId(n), customerId(n)]);
  const others = random.sample(customers.slice(5), NOTE_COUNT - pinned.length).map((customer) => customer.id);
  return [...pinned, ...others].map((id, i) => {
    const customer = byId.get(id) as DemoCustomer;
    const writtenAt = DATA_AS_OF - random.int(1, 365) * DAY_MS + random.int(8 * 3600, 18 * 3600) * 1000;
    return {
      id: `N-${String(i + 1).padStart(3, '0')}`,
      customerId: id,
      author: random.pick(AUTHORS),
      writtenAt: isoTimestamp(writtenAt),
      text: write(random, customer),
    };
  });
}
