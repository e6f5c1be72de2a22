SELECT c.id, c.connection_id, c.account_id, c.headers, c.body, p.provider
FROM inbound_callbacks c
JOIN provider_connections p ON p.id = c.connection_id
WHERE c.id = :#${body} AND c.status = 'received'
