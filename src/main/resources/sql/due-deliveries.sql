-- Pending deliveries due (or whose lease ran out), whatever their endpoint's state: one of a paused, disabled or
-- deleted endpoint is pending only when it was fanned out as the endpoint was turned off, after its others were held
-- (discarded). Claimed, the deliver route cannot load it and holds (discards) it as they were
-- (release-unloaded-claim.sql), instead of leaving it pending to go out on a resume without a recover.
SELECT d.id, d.endpoint_id
FROM deliveries d
WHERE d.status = 'pending'
  AND d.next_attempt_at <= :#now
  AND (d.lease_until IS NULL OR d.lease_until < :#now)
ORDER BY d.next_attempt_at
LIMIT :#batch
