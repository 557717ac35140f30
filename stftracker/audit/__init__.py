"""The audit log: who changed what and when, read from the history tables, uploads and the admin log."""
