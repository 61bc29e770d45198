"""Benchmate: mentorship and win-logging for clinical laboratories, in Slack."""
