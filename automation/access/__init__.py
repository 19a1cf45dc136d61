"""Getting into a store's backoffice, the one way every command does: the opener (`backoffice.py`), the login
coordinator (`coordinator.py`) with the refusals it remembers per account (`account_memory.py`), the login
chain's shared pieces, credentials from the environment, cached sessions, a person's login."""
