"""Pure decisions: no Slack, no SQLAlchemy, time passed in."""
