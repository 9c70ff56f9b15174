import type { DocumentTemplate } from './template.js';

/** Documents about one customer: account work, meetings, reviews, incidents. */
export const CUSTOMER_TEMPLATES = {
  accountPlan: {
    kind: 'account-plan',
    aboutCustomer: true,
    tags: ['account-plan', 'growth'],
    titles: ['Account plan {fy}: {customer}', '{customer}: account plan and growth targets for {fy}'],
    summaries: [
      'Account plan for {customer} ({segment}, {region}) for {fy}: expand {family} and secure the renewal in {quarter}.',
      'How we grow {customer} in {fy}: current footprint, expansion targets for {family} and the risks to the {quarter} renewal.',
    ],
    paragraphs: [
      [
        '{customer} has been a customer since {since} and today runs {family} across {count} business units in {region}.',
        'Annual recurring revenue stands at {amount}, up {pct}% on last year, mostly from {product}.',
        'The relationship is owned by {owner}, with {csm} as customer success manager and {engineer} covering technical questions.',
        'Adoption is strongest in finance and operations; the sales organisation still works largely from spreadsheets.',
        'Their executive sponsor, {contact}, reports to the board on the digital programme every quarter.',
      ],
      [
        'Our primary objective for {fy} is to expand {family} to the remaining business units before the renewal in {quarter}.',
        'A secondary objective is to land {family2} as the standard for {purpose2}, replacing two legacy tools.',
        'We target a multi-year agreement with a ramp that keeps the first-year increase under {pct2}%.',
        'Success means {seats} active users by the end of {quarter} and an executive business review every six months.',
        'Procurement has asked for a single consolidated order form covering all entities.',
      ],
      [
        'Key stakeholders are {contact} (sponsor), the head of IT architecture and the procurement lead.',
        'The IT architecture team is cautious about new vendors and prefers to extend platforms already approved.',
        'Finance controls the budget and expects a business case with payback inside {days} days.',
        'The security team must sign off on any new data flows, which historically adds three to four weeks.',
        'Champions in the operations team have offered to present their results at our customer advisory board.',
      ],
      [
        'The main risk is a budget freeze announced for the second half, which could delay the expansion.',
        'A competitor, {competitor}, is running a proof of concept with one business unit.',
        'Open support tickets about report performance must be closed before the renewal conversation starts.',
        'Next steps: {owner} schedules the executive briefing, and {engineer} prepares a reference architecture for {family2}.',
        'We review this plan with sales leadership at the end of every quarter.',
      ],
    ],
  },
  meetingNotes: {
    kind: 'meeting-notes',
    aboutCustomer: true,
    tags: ['meeting-notes'],
    titles: [
      'Meeting notes: {customer} quarterly business review',
      'Meeting notes: {customer} {family} roadmap session',
      'Call notes: {customer} renewal check-in',
    ],
    summaries: [
      'Notes from the meeting with {customer} on {date}: adoption of {family}, open support issues and agreed follow-ups.',
      'Summary of our {date} session with {customer}: what they asked for, what we committed to, and who owns each action.',
    ],
    paragraphs: [
      [
        'Attendees: {contact} and two members of their platform team; from our side {owner}, {csm} and {engineer}.',
        'The meeting took place on {date} and lasted about an hour.',
        'We opened with a recap of the previous quarter and the status of open actions.',
        '{contact} confirmed that {family} is now used daily by {seats} people.',
        'Their finance director joined for the last twenty minutes to discuss budgets for next year.',
      ],
      [
        'Adoption of {product} grew {pct}% over the quarter, driven by the rollout in {region}.',
        'The team praised the new audit export but asked for finer-grained permissions on shared workspaces.',
        'They reported two incidents with slow dashboards during month-end close; both are tracked as support tickets.',
        'Integration with their data warehouse is still manual, and they asked whether {family2} could automate it.',
        'Usage of the mobile app remains low, mainly because field staff were never trained on it.',
      ],
      [
        'On the commercial side, {contact} indicated that the renewal in {quarter} is likely but will go through a formal tender.',
        'They asked for a price hold for the next twelve months in exchange for a two-year commitment.',
        'Procurement wants invoices split per entity and in {currency}.',
        'We explained the new data residency options, which came up because of an internal audit finding.',
        'They are comparing our offer with {competitor}, mainly on price per user.',
        'We agreed not to discuss discounts before the usage review is complete.',
      ],
      [
        'Actions: {csm} sends a training plan for the field teams within {days} days.',
        'Actions: {engineer} prepares a short demo of the warehouse connector for the next call.',
        'Actions: {owner} shares a draft renewal proposal before the end of the month.',
        'Actions: {contact} shares the list of business units that want access in the next phase.',
        'Next meeting is planned for early {quarter}, on site if travel budgets allow.',
      ],
    ],
  },
  securityReview: {
    kind: 'security-review',
    aboutCustomer: true,
    tags: ['security', 'compliance'],
    titles: ['Security review: {customer} SSO and data protection requirements', 'Security questionnaire response for {customer}'],
    summaries: [
      'Outcome of the security review with {customer}: single sign-on, encryption and audit requirements, and the exceptions we agreed.',
      'Our answers to the security questionnaire of {customer}, with the controls they challenged and the follow-ups.',
    ],
    paragraphs: [
      [
        '{customer} requires every vendor handling customer data to pass an annual security review.',
        'The review was led by their information security office and covered {family} and {family2}.',
        'They asked for evidence of our ISO 27001 certification and the latest SOC 2 Type II report.',
        'The questionnaire had {count} sections; most answers were accepted without follow-up questions.',
        'Their auditors also reviewed our sub-processor list and the incident notification process.',
      ],
      [
        'Single sign-on must use their Entra ID tenant with conditional access enforced for administrators.',
        'All data at rest must be encrypted, and they prefer customer-managed keys for production workloads.',
        'They asked where backups are stored and whether data residency in {region} can be guaranteed.',
        'Audit logs must be retained for at least one year and exported weekly to their SIEM.',
        'Service accounts may not use long-lived secrets; certificate credentials are acceptable.',
      ],
      [
        'Two findings were raised: password policy for local break-glass accounts, and the retention of support attachments.',
        'We agreed to disable local accounts once their SSO rollout completes, within {days} days.',
        'Support attachments will be deleted after {days} days instead of being kept indefinitely.',
        'Their penetration test of the staging environment found no high or critical issues.',
        'They accepted our incident notification window of 48 hours, shorter than their standard clause.',
      ],
      [
        'The review was approved with conditions; {engineer} tracks the two findings to closure.',
        'The next review is due in twelve months, or earlier if we change sub-processors.',
        '{owner} should mention the approved status in the renewal proposal, as procurement requires it.',
        'Evidence collected for this review is stored in the compliance workspace, not in email.',
        'Any new integration with their systems triggers a short delta review instead of a full one.',
      ],
    ],
  },
  incidentReport: {
    kind: 'incident-report',
    aboutCustomer: true,
    tags: ['incident', 'support'],
    titles: ['Incident report {ticket}: {family} degradation affecting {customer}', 'Incident report {ticket}: delayed exports for {customer}'],
    summaries: [
      'Customer-facing report on incident {ticket}: what {customer} experienced, the cause, and how we prevent a repeat.',
      'Incident {ticket} at {customer}: {hours} hours of degraded service in {family}, root cause and follow-up actions.',
    ],
    paragraphs: [
      [
        'On {date}, {customer} reported that {product} was responding slowly and some scheduled exports had not run.',
        'The incident was opened as {ticket} and classified as severity 2 within fifteen minutes.',
        'Service was degraded for about {hours} hours; no data was lost.',
        'Users in {region} were affected; other regions were not.',
        'The customer escalated through {owner} after two hours, before our status page had been updated.',
      ],
      [
        'The root cause was a configuration change to connection pooling that reduced capacity during peak load.',
        'The change had passed staging tests, but the test load did not reflect month-end volumes.',
        'Monitoring alerted on latency, but the alert was routed to a queue that was not staffed overnight.',
        'Rolling back the change restored normal performance; queued exports were replayed afterwards.',
        'A second contributing factor was a retry storm from their integration, which multiplied the load.',
      ],
      [
        'We added load tests with production-like volumes to the release pipeline.',
        'Latency alerts for {family} now page the on-call engineer directly.',
        '{csm} walked {contact} through the timeline in a call the following day.',
        'We offered a service credit of {pct}% of the monthly fee, as the contract foresees.',
        'The customer asked for a copy of the internal postmortem; we shared this report instead.',
      ],
    ],
  },
  renewalRisk: {
    kind: 'renewal-risk',
    aboutCustomer: true,
    tags: ['renewal', 'churn-risk'],
    titles: ['Renewal risk assessment: {customer}', '{customer}: renewal risk and save plan for {quarter}'],
    summaries: [
      'Why the {quarter} renewal of {customer} is at risk, what they pay today, and the negotiation room approved by sales leadership.',
      'Save plan for {customer}: churn signals, competitive pressure from {competitor}, and the agreed negotiation room.',
    ],
    paragraphs: [
      [
        '{customer} renews in {quarter}; the current contract is worth {amount} per year.',
        'Usage of {family} dropped {pct}% over the last two quarters after their reorganisation.',
        'Their new CIO favours consolidating vendors and has invited {competitor} to present.',
        'Executive engagement has been weak since {contact} changed roles.',
        'Support tickets doubled after the last upgrade, and two escalations reached their CIO.',
      ],
      [
        'Sales leadership approved a discount of up to {pct2}% in exchange for a three-year term.',
        'Below that, the walk-away price is the current price less ten percent, with no free services.',
        'We may include {family2} at no charge for the first year if it replaces a tool they already pay for.',
        'Any concession beyond this needs approval from the regional vice president, {exec}.',
        'Payment terms may move from annual to quarterly in advance, but not to monthly.',
      ],
      [
        'The save plan starts with an executive meeting between {exec} and their CIO within {days} days.',
        '{csm} runs a usage workshop to show the teams that stopped using {family} what changed.',
        '{owner} prepares a consolidation proposal that shows the cost of switching to {competitor}.',
        'If the customer still asks for a tender, we respond but do not go below the walk-away price.',
        'We report progress on this account in the weekly forecast call until the renewal is signed.',
      ],
    ],
  },
  onboardingPlan: {
    kind: 'onboarding-plan',
    aboutCustomer: true,
    tags: ['onboarding', 'implementation'],
    titles: ['Onboarding plan: {customer} rollout of {family}', '{customer}: implementation plan for {family}'],
    summaries: [
      'Rollout plan for {family} at {customer}: phases, owners, training, and the criteria for going live.',
      'How {customer} moves to {family} in {days} days: scope, milestones and responsibilities on both sides.',
    ],
    paragraphs: [
      [
        '{customer} signed for {family} on {date} and expects to go live within {days} days.',
        'The first phase covers {seats} users in {region}; further regions follow after a review.',
        'The customer project lead is {contact}; our side is led by {csm}, with {engineer} for integration work.',
        'The scope includes {product} and the standard connectors; custom development is out of scope.',
        'The old system stays read-only for ninety days after go-live.',
      ],
      [
        'Week one sets up single sign-on, the tenant configuration and the data connectors.',
        'Weeks two and three migrate historical data and validate it against the old system.',
        'Training is delivered as three remote sessions, recorded for later joiners.',
        'Go-live requires signed acceptance of the data validation and an agreed support model.',
      ],
      [
        'Risks are limited access to the source system and the availability of their subject-matter experts.',
        'We hold a weekly status call and keep a shared action log.',
        'After go-live, {csm} runs a thirty-day health check and reports adoption to {owner}.',
        'Change requests go through the project lead on both sides and are priced separately.',
        'Success is measured by weekly active users and the number of manual exports that disappear.',
      ],
    ],
  },
} satisfies Readonly<Record<string, DocumentTemplate>>;
