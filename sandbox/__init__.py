"""`benchmate sandbox`: a local stand-in for Slack with the real Benchmate behind it."""
