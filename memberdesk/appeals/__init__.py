"""Appeals and grievances on their regulatory clocks, regulatory inquiries and legal referrals."""
