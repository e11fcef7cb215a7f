-- The key table becomes @lifeline/db's IDEMPOTENCY_KEYS_SQL (shared with recurring's POST /series): the
-- created resource's column is resource_id there. Same type, constraints, index and grants.
ALTER TABLE "idempotency_keys" RENAME COLUMN "task_id" TO "resource_id";
