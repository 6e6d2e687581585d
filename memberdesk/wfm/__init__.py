"""Workforce management: forecasts, Erlang C/A staffing, schedules, simulation, budget."""
