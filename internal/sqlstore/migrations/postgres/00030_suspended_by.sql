-- +goose Up
-- Who or what suspended an entry, which decides who may reopen it (see
-- docs/decisions.md): 'provider', 'moderator', or an automatic rule
-- ('website_check', 'referral_rule', 'manual_check', 'feed', 'system').
-- Empty when the entry is not suspended.
ALTER TABLE service ADD COLUMN suspended_by TEXT NOT NULL DEFAULT '';
-- Entries suspended before: the last suspension's event tells a manual
-- check, a provider of the entry's organisation or another person (a
-- moderator) from an automatic rule.
UPDATE service SET suspended_by = COALESCE((
    SELECT CASE
        WHEN e.actor_id IS NULL THEN 'system'
        WHEN e.note LIKE 'Checked by a moderator:%' THEN 'manual_check'
        WHEN EXISTS (SELECT 1 FROM membership m WHERE m.user_id = e.actor_id
            AND m.organization_id = service.organization_id AND m.role = 'provider') THEN 'provider'
        ELSE 'moderator' END
    FROM service_event e WHERE e.service_id = service.id AND e.action = 'suspend'
    ORDER BY e.seq DESC LIMIT 1), 'system')
WHERE status = 'suspended';

-- +goose Down
ALTER TABLE service DROP COLUMN suspended_by;
