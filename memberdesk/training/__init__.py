"""Training records: courses, knowledge checks, completions, and what each person owes."""
