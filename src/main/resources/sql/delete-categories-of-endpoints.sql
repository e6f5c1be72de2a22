DELETE FROM endpoint_categories
WHERE endpoint_id IN (:#in:ids)
