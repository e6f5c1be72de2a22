-- settled still: one retried or recovered since it was found keeps its row (its attempts so far are gone)
DELETE FROM deliveries
WHERE id IN (:#in:ids)
  AND status IN ('delivered', 'failed', 'discarded')
