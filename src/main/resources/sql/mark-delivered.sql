UPDATE deliveries
SET status = CASE WHEN status = 'discarded' THEN 'discarded' ELSE 'delivered' END, attempts = attempts + 1,
    last_attempt_at = :#created_at, last_response_status = :#response_status, last_error = NULL,
    delivered_at = :#created_at, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
    updated_at = :#created_at
WHERE id = :#delivery_id AND status IN ('pending', 'held', 'discarded')
