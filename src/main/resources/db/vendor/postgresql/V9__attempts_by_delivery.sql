-- The history retention deletes deliveries with their attempts: without an index on attempts.delivery_id PostgreSQL
-- scans the whole attempts table for each delivery deleted (the foreign key's check) and for each batch of attempts:
-- about 5 deliveries a second with a million attempts (audit). H2 keeps an index for the foreign key of its own.
CREATE INDEX attempts_by_delivery ON attempts (delivery_id);
