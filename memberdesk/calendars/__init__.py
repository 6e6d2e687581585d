"""Business calendars: time zone, opening windows, closures (pure; no I/O)."""
