INSERT INTO deliveries (id, account_id, event_id, endpoint_id, envelope, status, attempts, next_attempt_at,
                        lease_owner, lease_until, created_at, updated_at)
VALUES (:#id, :#account_id, :#event_id, :#endpoint_id, :#envelope, :#status, 0, :#next_attempt_at,
        :#lease_owner, :#lease_until, :#created_at, :#created_at)
