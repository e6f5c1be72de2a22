DELETE FROM deliveries
WHERE id IN (:#in:ids)
  AND status IN ('delivered', 'failed', 'discarded')
