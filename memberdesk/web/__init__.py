"""HTML UI shared pieces: templates, static files, layout."""
