-- A deleted account: its row stays (its id is never given to another account, and rows written late by another
-- instance still have their account), everything else of it is erased by the history purge (AccountErasure).
ALTER TABLE accounts ADD COLUMN deleted_at TIMESTAMP WITH TIME ZONE;
