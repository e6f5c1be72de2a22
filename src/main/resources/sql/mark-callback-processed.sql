UPDATE inbound_callbacks SET status = 'processed', processed_at = :#now WHERE id = :#id AND status = 'received'
