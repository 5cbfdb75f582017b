import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';

/**
 * Many rows in few parameters. A page of 500 results written through the query builder carries
 * 7,000 parameters, and building and sending those costs more than the database spends writing
 * them. Here each column travels as one array, which the database reads with the column's own
 * type and lays side by side again (`unnest`): an array is read in one pass, about half the
 * database's time of the same rows as a JSON document, which is read once to check it and
 * again to take its records apart.
 *
 * Rows are written with their keys as given: a key a row leaves out is null for that row, not its
 * column's default, so callers give every row the same keys (`byKeys` groups them).
 */

type Values<T extends PgTable> = Partial<T['$inferInsert']>;

interface Column {
  name: string;
  /** The column's SQL type, of which an array is sent. */
  type: string;
  json: boolean;
}

/** The SQL name and type of each property of a table, as the schema declares them. */
function columnsOf(table: PgTable): Map<string, Column> {
  const found = new Map<string, Column>();
  const columns = getTableConfig(table).columns;
  for (const [property, column] of Object.entries(table)) {
    if (!columns.includes(column as (typeof columns)[number])) continue;
    const { name } = column as PgColumn;
    const type = (column as PgColumn).getSQLType();
    found.set(property, { name, type, json: type === 'json' || type === 'jsonb' });
  }
  return found;
}

const columnsByTable = new WeakMap<PgTable, Map<string, Column>>();

function columnsOfTable(table: PgTable): Map<string, Column> {
  let columns = columnsByTable.get(table);
  if (!columns) {
    columns = columnsOf(table);
    columnsByTable.set(table, columns);
  }
  return columns;
}

/**
 * A PostgreSQL array literal of the values: every element quoted, its backslashes and quotes
 * escaped, so that any text (commas, braces, quotes, "NULL" itself) arrives as it was; a missing
 * value is NULL.
 */
export function arrayLiteral(values: readonly unknown[], json = false): string {
  const elements = values.map((value) => {
    if (value === null || value === undefined) return 'NULL';
    const text =
      value instanceof Date
        ? value.toISOString()
        : json || typeof value === 'object'
          ? JSON.stringify(value)
          : String(value);
    // Most text has neither; looking is cheaper than replacing nothing.
    const escaped =
      text.includes('"') || text.includes('\\') ? text.replace(/[\\"]/g, '\\$&') : text;
    return `"${escaped}"`;
  });
  return `{${elements.join(',')}}`;
}

/**
 * `(col, ...)` and `select col, ... from unnest(...)` for rows sharing one set of keys: compose
 * them into an insert, with whatever conflict clause and returning it needs.
 */
export function records<T extends PgTable>(
  table: T,
  rows: Values<T>[],
): { columns: SQL; select: SQL } {
  const columns = columnsOfTable(table);
  const keys = Object.keys(rows[0] ?? {}).filter(
    (key) => (rows[0] as Record<string, unknown>)[key] !== undefined,
  );
  const chosen = keys.map((key) => {
    const column = columns.get(key);
    if (!column) throw new Error(`${getTableConfig(table).name} has no column for "${key}"`);
    // An array column would need an array of arrays, which unnest flattens.
    if (column.type.endsWith(']')) throw new Error(`"${key}" is an array: write it row by row`);
    return column;
  });
  const list = sql.join(
    chosen.map((column) => sql.identifier(column.name)),
    sql`, `,
  );
  const arrays = chosen.map((column, index) => {
    const key = keys[index]!;
    const literal = arrayLiteral(
      rows.map((row) => (row as Record<string, unknown>)[key]),
      column.json,
    );
    return sql`${literal}::${sql.raw(column.type)}[]`;
  });
  return {
    columns: sql`(${list})`,
    select: sql`select ${list} from unnest(${sql.join(arrays, sql`, `)}) as given(${list})`,
  };
}

/** Rows grouped by the keys they give, so each group is one statement with no stray nulls. */
export function byKeys<T extends object>(rows: T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const signature = Object.keys(row)
      .filter((key) => (row as Record<string, unknown>)[key] !== undefined)
      .sort()
      .join(',');
    const group = groups.get(signature);
    if (group) group.push(row);
    else groups.set(signature, [row]);
  }
  return [...groups.values()];
}

/**
 * `(select found.* from ...)` with `probe` run once for each of `values`, as its own lookup: the
 * list arrives as one JSON parameter and each value is handed to `probe` as `wanted.value`
 * (text). `offset 0` keeps each probe whole, so the planner cannot fold the lookups into one
 * scan of everything the rest of the condition matches. That matters for a school or source the
 * statistics have not seen yet: the planner expects it to hold a row or two, and a page of 500
 * ids checked against each of its thousands of rows costs more than the page itself.
 */
export function probeEach(values: readonly string[], probe: (value: SQL) => SQL): SQL {
  return sql`(select found.* from json_array_elements_text(${JSON.stringify(values)}::json)
    as wanted(value) cross join lateral (${probe(sql`wanted.value`)} offset 0) as found)`;
}
