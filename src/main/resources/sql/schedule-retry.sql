-- The next try, by the schedule; at once when a manual retry was asked for during this attempt. (PostgreSQL takes a
-- parameter in a CASE for text unless it is cast.)
UPDATE deliveries
SET next_attempt_at = CASE WHEN retry_requested THEN CAST(:#now AS TIMESTAMP WITH TIME ZONE)
                           ELSE CAST(:#next_attempt_at AS TIMESTAMP WITH TIME ZONE) END,
    trigger_kind = CASE WHEN retry_requested AND trigger_kind <> 'test' THEN 'manual' ELSE trigger_kind END,
    retry_requested = FALSE, lease_owner = NULL, lease_until = NULL, updated_at = :#now
WHERE id = :#delivery_id AND status = 'pending' AND lease_owner = :#claim
