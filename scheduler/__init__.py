"""Timed jobs. One pass runs every job in `scheduler.jobs.JOBS` at `now`; each job asks a
pure "what is due at now" rule (bot/rules/schedule.py) and sends through the ledger, so
`benchmate tick`, `benchmate clock` and the scheduler inside `benchmate socket` all do
the same thing and never send a nudge twice."""
