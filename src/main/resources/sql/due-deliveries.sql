SELECT d.id, d.endpoint_id
FROM deliveries d
JOIN endpoints e ON e.id = d.endpoint_id
WHERE d.status = 'pending'
  AND d.next_attempt_at <= :#now
  AND (d.lease_until IS NULL OR d.lease_until < :#now)
  AND e.active = TRUE
  AND e.deleted_at IS NULL
ORDER BY d.next_attempt_at
LIMIT :#batch
