UPDATE deliveries
SET attempts = attempts + 1, last_attempt_at = :#created_at, last_response_status = :#response_status,
    last_error = :#error, updated_at = :#created_at
WHERE id = :#delivery_id AND status = 'pending'
