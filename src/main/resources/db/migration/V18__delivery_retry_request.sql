-- A manual retry asked for while an attempt holds the delivery: that attempt's failure must not put the retry off
-- to the schedule (or end the delivery as failed). The next claim clears it.
ALTER TABLE deliveries ADD COLUMN retry_requested BOOLEAN DEFAULT FALSE NOT NULL;
