"""Use cases: what Benchmate does, called by handlers/ and scheduler/.

They open units of work on the database and talk to Slack through the gateway.
"""
