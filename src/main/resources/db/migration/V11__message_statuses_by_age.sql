-- The history retention looks for provider message statuses not changed since its cutoff, a batch at a time: without
-- an index each batch read the whole table.
CREATE INDEX message_statuses_by_updated_at ON message_statuses (updated_at);
