UPDATE endpoints
SET active = FALSE, disabled_reason = :#disable_reason, disabled_at = :#now, updated_at = :#now
WHERE id = :#endpoint_id
  AND active = TRUE
  AND (failure_streak >= :#disable_after OR :#gone = TRUE)
