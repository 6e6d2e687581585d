"""Letters to members: versioned templates, rendered in a sandbox, laid out as PDF, stored
encrypted, sent and read under audit.

``service.issue`` is the one way in for other domains (appeals first); ``contract`` says which
context each kind of letter needs.
"""
