"""Member navigators: members with complex needs, flagged by rule or by hand, one owner each."""
