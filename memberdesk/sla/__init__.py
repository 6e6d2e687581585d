"""SLA and regulatory clocks, policy packs."""
