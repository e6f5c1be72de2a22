DELETE FROM endpoints
WHERE id IN (:#in:ids)
  AND deleted_at IS NOT NULL
