-- On PostgreSQL V9 indexes attempts.delivery_id for the history retention's deletes. H2 has such an index already,
-- the one it keeps for the foreign key to deliveries: nothing to do here, and the version stays the same on both.
SELECT 1;
