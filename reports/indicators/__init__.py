"""Quarterly and annual indicator reports МЦУ → ЦУР (decree 530, п. 2.4): the catalogue, the computed values,
the workflow draft → submitted → accepted / returned, due dates and reminders, the consolidated table."""
