import type { IResolvers } from '@graphql-tools/utils';
import type { SqlStore } from '../shared/sql-store.js';
import type { SubgraphContext } from '../shared/types.js';
import { checkFirst, checkIds, checkOffset } from '../shared/limits.js';
import { ORDER_COLUMNS, type OrderLineRecord, type OrderRecord, type OrdersLoaders } from './loaders.js';

type Context = SubgraphContext<OrdersLoaders>;

/** The orders subgraph's Customer: only the key; its fields come from the loaders. */
interface CustomerRef {
  id: string;
}

const money = (cents: number): number => Math.round(cents) / 100;

export function ordersResolvers(store: SqlStore): IResolvers<unknown, Context> {
  return {
    Query: {
      order: (_: unknown, { id }: { id: string }, { loaders }: Context) => loaders.order.load(id),
      orders: (_: unknown, args: { first: number; offset: number; status?: string | null }, { loaders }: Context) => {
        const rows = store.all<OrderRecord>(
          `SELECT ${ORDER_COLUMNS} FROM orders WHERE (@status IS NULL OR status = @status)
           ORDER BY placed_at DESC, id DESC LIMIT @first OFFSET @offset`,
          { status: args.status ?? null, first: checkFirst(args.first), offset: checkOffset(args.offset) },
        );
        for (const row of rows) loaders.order.prime(row.id, row);
        return rows;
      },
      // Any id gets a Customer: the CRM owns whether it exists; here it just has no orders.
      _orderCustomersByIds: (_: unknown, { ids }: { ids: string[] }): CustomerRef[] => checkIds(ids).map((id) => ({ id })),
    },
    Customer: {
      orders: async (customer: CustomerRef, { first }: { first: number }, { loaders }: Context) => {
        const limit = checkFirst(first);
        return (await loaders.ordersByCustomer.load(customer.id)).slice(0, limit);
      },
      orderCount: async (customer: CustomerRef, _: unknown, { loaders }: Context) => (await loaders.ordersByCustomer.load(customer.id)).length,
      lifetimeValue: async (customer: CustomerRef, _: unknown, { loaders }: Context) =>
        money((await loaders.ordersByCustomer.load(customer.id)).reduce((sum, order) => sum + order.totalCents, 0)),
    },
    Order: {
      total: (order: OrderRecord) => money(order.totalCents),
      lines: (order: OrderRecord, _: unknown, { loaders }: Context) => loaders.linesByOrder.load(order.id),
      customer: (order: OrderRecord): CustomerRef => ({ id: order.customerId }),
    },
    OrderLine: {
      unitPrice: (line: OrderLineRecord) => money(line.unitPriceCents),
      amount: (line: OrderLineRecord) => money(line.amountCents),
    },
  };
}
