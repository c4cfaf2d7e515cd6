import type { ObjectLiteral, QueryBuilder, Repository, SelectQueryBuilder } from 'typeorm';

/**
 * A query of one entity's table whose SQL text TypeORM's query builder writes once, on its first
 * run; every later run binds its parameters to that text (TypeORM's own escaping) and, for a
 * SELECT, converts the selected columns as TypeORM would (the driver's hydration by column
 * metadata).
 *
 * Why: writing the text (aliases, property paths to column names, quoting) is most of the CPU
 * TypeORM spends on a small query; on a login it was a quarter of the event loop's work by
 * profile (TypeORM's own functions ≈ 500 of ≈ 2,000 µs). The builder states the query as usual;
 * its named parameters stay unbound (`:email`) and arrive with each run, so one text serves
 * every run. A `build` must not depend on a run's values (a limit, an offset): those are part of
 * the text, so a query with another one is another CompiledQuery.
 *
 * `build` selects columns with {@link selectProperties}: each row comes back keyed by property
 * name, which is what makes the conversion possible without TypeORM's alias bookkeeping.
 */
export class CompiledQuery<Entity extends ObjectLiteral, Row extends Partial<Entity> = Entity> {
  private sql?: string;

  constructor(
    private readonly repository: Repository<Entity>,
    private readonly build: () => QueryBuilder<Entity>,
  ) {}

  /** Runs the statement; resolves to what the driver answers (the rows of a SELECT). */
  execute<Result = unknown>(parameters: ObjectLiteral): Promise<Result> {
    const { driver } = this.repository.manager.connection;
    this.sql ??= this.build().getQuery();
    const [sql, values] = driver.escapeQueryWithParameters(this.sql, parameters, {});
    return this.repository.query<Result>(sql, values);
  }

  async getMany(parameters: ObjectLiteral): Promise<Row[]> {
    const { metadata, manager } = this.repository;
    const { driver } = manager.connection;
    const raw = await this.execute<Record<string, unknown>[]>(parameters);
    return raw.map((columns) => {
      const row: Record<string, unknown> = {};
      for (const property in columns) {
        const column = metadata.findColumnWithPropertyName(property);
        row[property] = column
          ? driver.prepareHydratedValue(columns[property], column)
          : columns[property];
      }
      return row as unknown as Row;
    });
  }

  async getOne(parameters: ObjectLiteral): Promise<Row | null> {
    const [first] = await this.getMany(parameters);
    return first ?? null;
  }
}

/**
 * Selects `properties` (every column when omitted) of the query's main alias, each named by its
 * property, for {@link CompiledQuery}.
 */
export function selectProperties<Entity extends ObjectLiteral>(
  query: SelectQueryBuilder<Entity>,
  properties?: readonly (keyof Entity & string)[],
): SelectQueryBuilder<Entity> {
  const alias = query.alias;
  const names =
    properties ?? query.expressionMap.mainAlias!.metadata.columns.map((c) => c.propertyName);
  query.select(`${alias}.${names[0]}`, names[0]);
  for (const name of names.slice(1)) query.addSelect(`${alias}.${name}`, name);
  return query;
}
