"""Run history: every plan, apply and verify recorded per store and setting, the fleet's status now, and
the drift timeline (the evidence of Art. 5(2) GDPR: what was checked, what drifted, what was corrected).

`rows` turns a run document into result rows (the one place, so live recording and `history import`
agree), `recorder` writes them, `status` and `timeline` read them, `html` renders both for people, `cli`
registers the `status` and `history` commands, and `hook` is what the end of every run calls.
"""
