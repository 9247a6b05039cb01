-- The deployment-wide limits of several instances on PostgreSQL (see its migration); one
-- SQLite instance limits in memory and leaves this table empty. Kept for the same schema.
CREATE TABLE rate_limits (
    key TEXT    PRIMARY KEY,
    tat INTEGER NOT NULL
);
