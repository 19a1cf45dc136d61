"""Alerts of scheduled runs through Apprise: one message when a problem starts and one when it clears.

`config` is the fleet file's `notify` key, `problems` finds the problems a run shows, `state` keeps the
open ones in the database (so a problem is announced once, not every night), `message` writes one message
per run (a summary when many stores change at once), and `send` delivers it without ever failing the run.
"""
