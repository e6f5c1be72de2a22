-- The schedule is used up; not while a manual retry asked for during this attempt waits (retry-asked-during-attempt)
UPDATE deliveries
SET status = 'failed', next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL, updated_at = :#now
WHERE id = :#delivery_id AND status = 'pending' AND lease_owner = :#claim AND retry_requested = FALSE
