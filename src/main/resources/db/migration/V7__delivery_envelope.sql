-- The body's shape is fixed per delivery when it is made, so every attempt sends the same bytes even when the
-- endpoint's envelope changes between attempts. A delivery made before this has none: its endpoint's, as before.
ALTER TABLE deliveries ADD COLUMN envelope VARCHAR(20);
