UPDATE deliveries
SET attempts = attempts + 1, last_attempt_at = :#created_at, last_response_status = :#response_status,
    last_error = :#error, updated_at = :#created_at,
    trigger_kind = CASE WHEN trigger_kind = 'test' THEN 'test' ELSE 'scheduled' END
WHERE id = :#delivery_id AND status IN ('pending', 'held', 'discarded')
