"""Members, employer groups, carriers, plans, coverage, life events, ID cards."""
