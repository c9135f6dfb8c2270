-- What the team sees of a lead in the contact panel: the page they were on and their browser,
-- as of their latest widget session.
ALTER TABLE contacts ADD COLUMN last_page TEXT;
ALTER TABLE contacts ADD COLUMN browser TEXT;
