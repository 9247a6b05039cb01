-- Limits that must hold for the whole deployment, not per instance: GCRA buckets kept as their
-- theoretical arrival time (microseconds of the database's clock), one row per limited key
-- (`real_name:<account>`: real-name binding attempts, each a verification at the platform).
CREATE TABLE rate_limits (
    key TEXT   PRIMARY KEY,
    tat BIGINT NOT NULL
);
