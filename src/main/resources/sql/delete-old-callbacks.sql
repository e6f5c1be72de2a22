-- by their ids, not by a subquery: H2 runs an IN subquery of a DELETE again for every row it looks at
DELETE FROM inbound_callbacks
WHERE id IN (:#in:ids)
  AND status IN ('processed', 'ignored', 'failed')
