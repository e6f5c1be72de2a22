UPDATE endpoints SET failure_streak = 0 WHERE id = :#endpoint_id AND failure_streak <> 0
