import type { DocumentTemplate } from './template.js';

/** Documents not about one customer: guides, policies, postmortems, release notes. */
export const GENERAL_TEMPLATES = {
  productGuide: {
    kind: 'product-guide',
    aboutCustomer: false,
    tags: ['product-guide', 'how-to'],
    titles: ['Getting started with {family}', '{family} administration guide', '{family}: best practices for large deployments'],
    summaries: [
      'A practical introduction to {family}, our product for {purpose}: setup, first steps and common pitfalls.',
      'How administrators configure {family}: users and roles, integrations, and day-to-day operations.',
      '{family} at scale: how large organisations structure workspaces, delegate administration and keep integrations reliable.',
    ],
    paragraphs: [
      [
        '{family} is our product for {purpose}.',
        'It is sold per {unit}, and most customers start with {product}.',
        'This guide assumes you have administrator rights in your tenant.',
        'Everything described here is also available through the public API.',
      ],
      [
        'Start by connecting your identity provider so that users sign in with single sign-on.',
        'Create roles before inviting users; the built-in viewer, editor and owner roles cover most needs.',
        'Connect your first data source from the integrations page and run a test synchronisation.',
        'Set notification rules early, so that the right team hears about failures.',
        'Use a separate workspace for testing changes before applying them to production.',
        'Invite a small pilot group first and collect their feedback before the wider rollout.',
      ],
      [
        'Large deployments should group users by business unit and delegate administration.',
        'Review access quarterly and remove users who have not signed in for ninety days.',
        'Keep integrations under version control with the configuration export.',
        'Monitor usage from the admin dashboard and watch for quota warnings.',
      ],
      [
        'Most support requests come from expired connector credentials; rotate them before they expire.',
        'If synchronisation is slow, check the batch size and the rate limits of the source system.',
        'For help, open a ticket from the admin console; include the workspace id, never passwords or keys.',
      ],
    ],
  },
  pricingPolicy: {
    kind: 'pricing-policy',
    aboutCustomer: false,
    tags: ['pricing', 'policy', 'sales'],
    titles: ['Pricing policy: {segment} price lists and standard discounts', 'Pricing policy: multi-year commitments and price holds'],
    summaries: [
      'The rules sales teams follow when quoting {segment} customers: list prices, standard discounts and who approves exceptions.',
      'When we offer multi-year terms and price holds, and what we ask in return.',
    ],
    paragraphs: [
      [
        'This policy applies to all new business and renewals quoted from {fy} onwards.',
        'List prices are published per currency; quotes in other currencies need finance approval.',
        'Prices are reviewed once a year and changes are announced ninety days in advance.',
        'Partners buy from a separate partner price list and follow their own agreement.',
        'Non-profit and education customers qualify for a fixed discount described in a separate policy.',
      ],
      [
        'Standard discounts depend on segment and volume and are applied automatically by the quoting tool.',
        'Multi-year commitments may receive an additional discount of up to {pct}%.',
        'Price holds longer than twelve months require a commitment of at least two years.',
        'Free services may not be bundled to hide a discount; they must be priced and discounted visibly.',
      ],
      [
        'Any discount above the standard grid needs approval in the quoting tool before the quote is sent.',
        'Approvals are valid for {days} days; expired approvals must be requested again.',
        'Finance audits a sample of quotes every quarter for compliance with this policy.',
        'Quotes that break this policy are withdrawn and reissued, even if the customer has already seen them.',
        'Questions about this policy go to the revenue operations team.',
      ],
    ],
  },
  discountMatrix: {
    kind: 'discount-matrix',
    aboutCustomer: false,
    tags: ['pricing', 'approvals', 'sales'],
    titles: ['Discount approval matrix {fy}', 'Deal desk guidance: negotiation limits for {fy}'],
    summaries: [
      'Who may approve which discounts in {fy}, by segment and deal size.',
      'Negotiation limits for account executives and managers, and when the deal desk must be involved.',
    ],
    paragraphs: [
      [
        'Account executives may approve discounts up to {pct}% on annual contracts below {amount}.',
        'Sales managers may approve up to {pct2}% on any contract, and up to five percent more for three-year terms.',
        'Regional vice presidents approve everything above that, including non-standard payment terms.',
        'The chief revenue officer approves any deal above {amount} with a discount over thirty percent.',
      ],
      [
        'The walk-away price for enterprise renewals is the prior year price less fifteen percent.',
        'Competitive replacements against {competitor} may go below the walk-away price with deal desk approval.',
        'Public-sector tenders follow the published framework prices and are never discounted further.',
        'Quarter-end discounts are not allowed; deals slipping into the next quarter keep the approved price.',
      ],
      [
        'The deal desk reviews every request within two business days.',
        'Requests must include the business case, the competitive situation and the customer budget.',
        'Approved exceptions are logged with the reason, so that we can see patterns at the end of the year.',
        'This matrix is confidential and must not be shared with customers or partners.',
      ],
    ],
  },
  securityOverview: {
    kind: 'security-overview',
    aboutCustomer: false,
    tags: ['security', 'trust', 'compliance'],
    titles: ['Security overview: encryption, access control and audit', 'Trust center: how we protect customer data'],
    summaries: [
      'How our products protect customer data: encryption, identity and access, audit logging and certifications.',
      'An overview of our security programme for customers and auditors.',
    ],
    paragraphs: [
      [
        'Security is part of every product we build, from design reviews to incident response.',
        'We hold ISO 27001 certification and publish a SOC 2 Type II report every year.',
        'Customers can request the latest reports under a non-disclosure agreement.',
        'Our security team reports to the chief information security officer, independent of engineering.',
      ],
      [
        'All customer data is encrypted in transit with TLS 1.2 or later and at rest with AES-256.',
        'Customer-managed keys are available for {family2}.',
        'Administrators sign in with single sign-on, and access to production requires multi-factor authentication.',
        'Employee access to customer data is granted per ticket and expires automatically.',
      ],
      [
        'Every administrative action is written to an audit log that customers can export.',
        'We run external penetration tests twice a year and a public bug bounty programme.',
        'Sub-processors are listed publicly and customers are notified thirty days before changes.',
        'Security incidents that affect customer data are notified within 48 hours.',
        'Vulnerabilities can be reported to our security team through the disclosure page.',
      ],
    ],
  },
  dataResidency: {
    kind: 'data-residency',
    aboutCustomer: false,
    tags: ['data-residency', 'compliance', 'privacy'],
    titles: ['Data residency options for customers in {region}', 'Data residency: where customer data is stored and processed'],
    summaries: [
      'Where customer data is stored and processed, and how customers in {region} keep data in region.',
      'Our data residency commitments: storage locations, backups, support access and sub-processors.',
    ],
    paragraphs: [
      [
        'Customers choose a data residency region when their tenant is created.',
        'Customer content, backups and search indexes stay in the chosen region.',
        'Data residency in {region} is available for {family2} and {family}.',
        'Each region runs in at least two availability zones, so that a zone failure does not move data elsewhere.',
      ],
      [
        'Some metadata, such as billing records and account names, is processed centrally.',
        'Support engineers outside the region may access data only with the customer\'s approval.',
        'Moving a tenant to another residency region is a planned migration of about {days} days.',
        'The data residency add-on adds contractual commitments and regional key management.',
      ],
      [
        'Residency commitments are described in the data processing agreement.',
        'Questions from auditors should be routed through the trust center.',
        'The list of regions grows every year; ask your account team about upcoming locations.',
        'Regulated customers can add contractual audit rights covering the regional facilities.',
      ],
    ],
  },
  postmortem: {
    kind: 'postmortem',
    aboutCustomer: false,
    tags: ['incident', 'postmortem', 'reliability'],
    titles: ['Postmortem {ticket}: {family} outage in {region}', 'Postmortem {ticket}: elevated error rates in {family}'],
    summaries: [
      'Blameless postmortem of incident {ticket}: {hours} hours of errors in {family} for customers in {region}.',
      'What happened during {ticket}, why our safeguards did not catch it, and the actions we took.',
    ],
    paragraphs: [
      [
        'On {date}, error rates in {family} rose sharply for customers in {region}.',
        'The incident lasted {hours} hours from first alert to full recovery.',
        'About {count} customers opened support tickets during the incident.',
        'No customer data was lost or exposed, but some scheduled jobs ran late.',
        'The incident commander was {owner}, with {engineer} leading the technical investigation.',
      ],
      [
        'The trigger was an expired certificate on an internal load balancer.',
        'Certificate rotation had been automated, but one legacy listener was outside the automation.',
        'Failover to the secondary zone worked, but the secondary ran out of capacity after an hour.',
        'Status page updates were delayed because the on-call engineer lacked publishing rights.',
      ],
      [
        'All listeners are now covered by automated certificate rotation and expiry alerts.',
        'Secondary zones are sized for full production load and tested monthly.',
        'On-call engineers can publish status page updates directly.',
        'Affected customers received a written summary from their customer success manager.',
        'We will review progress on these actions in the reliability review in {days} days.',
      ],
    ],
  },
  releaseNotes: {
    kind: 'release-notes',
    aboutCustomer: false,
    tags: ['release-notes', 'product'],
    titles: ['Release notes: {family} {version}', 'What is new in {family} {version}'],
    summaries: [
      '{family} {version} adds finer-grained permissions, faster exports and a new audit API.',
      'The changes in {family} {version}: new features, fixes and deprecations.',
    ],
    paragraphs: [
      [
        '{family} {version} is available to all customers from {date}.',
        'The release focuses on administration, performance and auditability.',
        'No action is needed unless you use the deprecated export endpoints.',
        'The rollout is gradual: tenants in {region} receive it first.',
      ],
      [
        'Workspace permissions can now be set per folder, not only per workspace.',
        'Exports of large reports are up to {pct}% faster thanks to streaming.',
        'The new audit API returns every administrative change with actor and timestamp.',
        'Administrators can now require single sign-on for all guest users.',
      ],
      [
        'The legacy CSV export endpoint is deprecated and will be removed in {days} days.',
        'Known issue: scheduled exports created before the upgrade show the wrong time zone.',
        'Full documentation is available in the {family} administration guide.',
        'Fixed: dashboards shared by link now respect folder permissions.',
        'Fixed: the connector status page no longer shows stale errors after a successful retry.',
      ],
    ],
  },
  battlecard: {
    kind: 'battlecard',
    aboutCustomer: false,
    tags: ['competitive', 'sales'],
    titles: ['Competitive battlecard: {family} vs {competitor}', 'Winning against {competitor} with {family}'],
    summaries: [
      'How {family} compares with {competitor}, the objections sales teams hear, and how to answer them.',
      'Positioning {family} against {competitor}: strengths, weaknesses and the pricing tactics to expect.',
    ],
    paragraphs: [
      [
        '{competitor} is the most frequent competitor for {family} in {region}.',
        'They win mostly on headline price and an aggressive free tier.',
        'We win when buyers value security, data residency and integration depth.',
        'Their product is strong for small teams but lacks delegated administration.',
      ],
      [
        'Expect {competitor} to offer first-year discounts of {pct}% or more.',
        'Their renewal uplifts are steep; ask prospects to request a three-year price in writing.',
        'Our walk-away price in competitive deals is the standard grid less {pct2}%, approved by the deal desk.',
        'Do not disparage the competitor; focus on total cost over three years.',
      ],
      [
        'Reference customers who switched from {competitor} are available through customer marketing.',
        'Lead with a proof of value of {days} days rather than a feature comparison.',
        'Involve {engineer} early when the prospect runs a technical evaluation.',
        'This battlecard is confidential: never forward it to prospects or partners.',
      ],
    ],
  },
  supportRunbook: {
    kind: 'support-runbook',
    aboutCustomer: false,
    tags: ['support', 'runbook'],
    titles: ['Support runbook: {family} escalations', 'Support runbook: handling sync failures in {family}'],
    summaries: [
      'How support engineers triage and escalate {family} tickets, with the checks to run first.',
      'Step-by-step handling of the most common {family} failures and when to page engineering.',
    ],
    paragraphs: [
      [
        'This runbook covers first- and second-line support for {family}.',
        'Always confirm the workspace id and the affected region before investigating.',
        'Never ask customers for passwords, tokens or keys; use the support access request instead.',
        'Record every step you take in the ticket, so that the next shift can continue.',
      ],
      [
        'Check the status page and the incident channel before opening a new investigation.',
        'Most synchronisation failures are expired credentials; ask the customer to reconnect the source.',
        'Rate-limit errors resolve by lowering the batch size in the connector settings.',
        'Collect the request ids from the admin console; they let engineering find the logs.',
      ],
      [
        'Escalate to engineering when more than {count} customers report the same error.',
        'Severity 1 tickets page the on-call engineer immediately.',
        'Update the ticket every {hours} hours until it is resolved.',
        'Once resolved, link the ticket to the known-issue article or create one.',
        'Customers with a premium support plan get a call from their technical account manager.',
      ],
    ],
  },
} satisfies Readonly<Record<string, DocumentTemplate>>;
