-- PostgreSQL only (commit notifications between servers); SQLite has one server.
SELECT 1;
