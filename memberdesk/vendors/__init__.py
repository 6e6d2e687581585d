"""Business associates and vendors: BAAs, contacts, and the outsourced centre scorecard."""
