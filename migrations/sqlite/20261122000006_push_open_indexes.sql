-- The dispatcher changes a notification's state twice on its way out (queued -> sending ->
-- sent). An index with `state` in its key is rewritten on each change; these partial indexes
-- hold only the rows they serve, so a sent row leaves them once and is not touched again.

DROP INDEX notifications_due;
DROP INDEX notifications_person_state;

-- What the lease takes: queued rows, lowest priority first, then the earliest due.
CREATE INDEX notifications_queued ON notifications (priority, due_at) WHERE state = 'queued';
-- One unsettled notification per person at a time (the lease's NOT EXISTS).
CREATE INDEX notifications_person_open ON notifications (account_id)
    WHERE state IN ('sending', 'in_doubt');
-- Expired leases and sends in doubt, for the recoverer (which looks every half second; SQLite
-- uses a partial index only when the query repeats its condition, hence one each).
CREATE INDEX notifications_sending ON notifications (lease_until) WHERE state = 'sending';
CREATE INDEX notifications_in_doubt ON notifications (due_at) WHERE state = 'in_doubt';

-- Receipts by person are read only to settle WeChat sends a crash left in doubt; the index on
-- random account ids costs a page write per receipt, so it holds WeChat's receipts only.
DROP INDEX push_receipts_account;
CREATE INDEX push_receipts_wechat_account ON push_receipts (account_id, target, received_at)
    WHERE channel = 'wechat';
