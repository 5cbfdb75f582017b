import { type SQL, sql } from 'drizzle-orm';
import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';

/**
 * Many rows in one parameter. A page of 500 results written through the query builder carries
 * 7,000 parameters, and building and sending those costs more than the database spends writing
 * them. Here the rows travel as one JSON document that the database unpacks with the table's own
 * row type (`json_populate_recordset`), so every value is read with the column's type and
 * nothing is listed twice. Read as `json`, not `jsonb`: the document is read once, in order,
 * rather than first built into a binary document (a third less of the database's time).
 *
 * Rows are written with their keys as given: a key a row leaves out is null for that row, not its
 * column's default, so callers give every row the same keys (`insertRecords` groups them).
 */

type Values<T extends PgTable> = Partial<T['$inferInsert']>;

/** The SQL name of each property of a table, as the schema declares it. */
function columnNames(table: PgTable): Map<string, string> {
  const names = new Map<string, string>();
  const columns = getTableConfig(table).columns;
  for (const [property, column] of Object.entries(table)) {
    if (columns.includes(column as (typeof columns)[number])) {
      names.set(property, (column as { name: string }).name);
    }
  }
  return names;
}

const namesByTable = new WeakMap<PgTable, Map<string, string>>();

function namesOf(table: PgTable): Map<string, string> {
  let names = namesByTable.get(table);
  if (!names) {
    names = columnNames(table);
    namesByTable.set(table, names);
  }
  return names;
}

function plain(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * `(col, ...)` and `select col, ... from json_populate_recordset(...)` for rows sharing one set
 * of keys: compose them into an insert, with whatever conflict clause and returning it needs.
 */
export function records<T extends PgTable>(
  table: T,
  rows: Values<T>[],
): { columns: SQL; select: SQL } {
  const names = namesOf(table);
  const keys = Object.keys(rows[0] ?? {}).filter(
    (key) => (rows[0] as Record<string, unknown>)[key] !== undefined,
  );
  const sqlNames = keys.map((key) => {
    const name = names.get(key);
    if (!name) throw new Error(`${getTableConfig(table).name} has no column for "${key}"`);
    return name;
  });
  const payload = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [index, key] of keys.entries()) {
      out[sqlNames[index]!] = plain((row as Record<string, unknown>)[key] ?? null);
    }
    return out;
  });
  const list = sql.join(
    sqlNames.map((name) => sql.identifier(name)),
    sql`, `,
  );
  const json = JSON.stringify(payload);
  return {
    columns: sql`(${list})`,
    select: sql`select ${list} from json_populate_recordset(null::${table}, ${json}::json)`,
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
