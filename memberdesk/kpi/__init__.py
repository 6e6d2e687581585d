"""KPIs: the contact centre's measures (service level, abandonment, ASA, AHT, occupancy, CSAT,
NPS, CAHPS) as pure formulas, and call records read from CSV."""
