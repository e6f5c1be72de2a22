SELECT e.id AS endpoint_id, e.active, e.filter_expression, e.envelope, e.channels
FROM endpoints e
WHERE e.account_id = :#account_id
  AND e.deleted_at IS NULL
  AND (EXISTS (SELECT 1 FROM endpoint_event_types t
               WHERE t.endpoint_id = e.id
                 AND (t.pattern = :#type
                      OR (t.prefix IS NOT NULL AND LEFT(:#type, LENGTH(t.prefix)) = t.prefix)))
       OR EXISTS (SELECT 1 FROM endpoint_categories c
                  JOIN event_types et ON et.category = c.category
                  WHERE c.endpoint_id = e.id AND et.name = :#type))
ORDER BY e.id
