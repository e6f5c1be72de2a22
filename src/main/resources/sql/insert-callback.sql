INSERT INTO inbound_callbacks (id, connection_id, account_id, dedupe_key, headers, body, status, received_at)
SELECT :#id, :#connection_id, :#account_id, :#dedupe_key, :#headers, :#body, 'received', :#received_at
WHERE NOT EXISTS (SELECT 1 FROM inbound_callbacks WHERE connection_id = :#connection_id AND dedupe_key = :#dedupe_key)
