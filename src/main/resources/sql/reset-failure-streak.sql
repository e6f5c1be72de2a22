UPDATE endpoints SET failure_streak = 0, failing_since = NULL WHERE id = :#endpoint_id AND failure_streak <> 0
