"""Administration in the browser: accounts, roles, teams, agent skills and API tokens."""
