-- No query looks attempts up by delivery: the API lists them by endpoint (attempts_endpoint), and deliveries are never
-- deleted. The index was written on every attempt all the same; on H2 the foreign key to deliveries keeps an index
-- of its own on delivery_id.
DROP INDEX attempts_delivery;
