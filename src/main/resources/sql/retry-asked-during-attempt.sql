-- A manual retry asked for while this attempt ran: due at once, as the retry's answer said. Only a claim turns the
-- flag off, and none can while the lease is ours: when mark-failed matched nothing because of it, this matches.
UPDATE deliveries
SET next_attempt_at = :#now,
    trigger_kind = CASE WHEN trigger_kind = 'test' THEN 'test' ELSE 'manual' END,
    retry_requested = FALSE, lease_owner = NULL, lease_until = NULL, updated_at = :#now
WHERE id = :#delivery_id AND status = 'pending' AND lease_owner = :#claim AND retry_requested
