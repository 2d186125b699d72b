"""In-memory state of the sandbox for the life of the process: mailboxes, calendars, drives, teams."""
