DELETE FROM attempts WHERE delivery_id IN (:#in:ids)
