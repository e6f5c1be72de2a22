-- GET …/providers/{connectionId}/callbacks lists a connection's callbacks newest first: without this index it read
-- every callback stored.
CREATE INDEX inbound_callbacks_by_connection ON inbound_callbacks (connection_id, received_at);
