"""The file intake: the kinds of upload, the import itself, its reports, and the upload pages and API."""
