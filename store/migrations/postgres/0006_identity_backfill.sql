-- Workspaces made before identities existed get a secret too (two random UUIDs: 244 bits,
-- from PostgreSQL's strong random source).
UPDATE workspaces
SET identity_secret = replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', '')
WHERE identity_secret = '';
