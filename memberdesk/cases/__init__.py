"""Cases, tiers and queues, SLA clocks on the row, escalation, warm transfers and get-next."""
