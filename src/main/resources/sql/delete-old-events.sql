-- by their ids, not by a subquery: H2 runs an IN subquery of a DELETE again for every row it looks at. Without
-- deliveries still: a delivery added since they were found (none is, to an event this old) keeps its event
DELETE FROM events
WHERE account_id = :#${exchangeProperty.hookpost.account}
  AND id IN (:#in:ids)
  AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.account_id = events.account_id AND d.event_id = events.id)
