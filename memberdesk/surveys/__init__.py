"""Surveys: post-contact CSAT and NPS invitations by channel and language, CAHPS-style
customer-service items, answers linked to contacts and agents, and their KPI report."""
