import type { IResolvers } from '@graphql-tools/utils';
import type { SqlStore } from '../shared/sql-store.js';
import type { SubgraphContext } from '../shared/types.js';
import { checkFirst, checkIds, checkOffset } from '../shared/limits.js';
import { CUSTOMER_COLUMNS, type CustomerRecord, type CustomersLoaders } from './loaders.js';

type Context = SubgraphContext<CustomersLoaders>;

interface CustomersArgs {
  first: number;
  offset: number;
  segment?: string | null;
  region?: string | null;
}

export function customersResolvers(store: SqlStore): IResolvers<unknown, Context> {
  return {
    Query: {
      customer: (_: unknown, { id }: { id: string }, { loaders }: Context) => loaders.customer.load(id),
      customers: (_: unknown, args: CustomersArgs, { loaders }: Context) => {
        const first = checkFirst(args.first);
        const offset = checkOffset(args.offset);
        const rows = store.all<CustomerRecord>(
          `SELECT ${CUSTOMER_COLUMNS} FROM customers
           WHERE (@segment IS NULL OR segment = @segment) AND (@region IS NULL OR region = @region)
           ORDER BY id LIMIT @first OFFSET @offset`,
          { segment: args.segment ?? null, region: args.region ?? null, first, offset },
        );
        // Later lookups of the same customers in this request need no query.
        for (const row of rows) loaders.customer.prime(row.id, row);
        return rows;
      },
      _customersByIds: (_: unknown, { ids }: { ids: string[] }, { loaders }: Context) =>
        loaders.customer.loadMany(checkIds(ids)),
    },
    Customer: {
      email: async (customer: CustomerRecord, _: unknown, { loaders }: Context) => (await loaders.contact.load(customer.id))?.email ?? null,
      phone: async (customer: CustomerRecord, _: unknown, { loaders }: Context) => (await loaders.contact.load(customer.id))?.phone ?? null,
    },
  };
}
