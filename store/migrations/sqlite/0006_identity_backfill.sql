-- Workspaces made before identities existed get a secret too (256 random bits).
UPDATE workspaces SET identity_secret = lower(hex(randomblob(32))) WHERE identity_secret = '';
