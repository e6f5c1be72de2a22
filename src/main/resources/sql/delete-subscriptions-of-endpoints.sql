-- by their ids, not by a subquery: H2 runs an IN subquery of a DELETE again for every row it looks at
DELETE FROM endpoint_event_types
WHERE endpoint_id IN (:#in:ids)
