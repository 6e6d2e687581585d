"""QA scorecards: evaluations of contacts, disputes, calibration, corrective training."""
