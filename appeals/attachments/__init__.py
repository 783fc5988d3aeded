"""Attachments: files on an appeal and on its answers (photo reports, acts, scans, PDF).

validation.py decides what a file is by its content and refuses what is not allowed; services.py
writes (`attachments_add`, `attachments_fetch`); selectors.py reads them as a user may see them;
views.py uploads from the card and serves files through the scope, never from a public URL."""
