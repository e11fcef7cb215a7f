// App schema names end up inside SQL text (search_path, CREATE SCHEMA, libpq startup options), where bind
// parameters are not allowed; restricting them to plain lowercase identifiers makes that safe without quoting rules.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid Postgres schema name "${schema}": use lowercase letters, digits and _ (at most 63, not starting with a digit)`);
  }
  return schema;
}
