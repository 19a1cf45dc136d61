"""Getting into a store's backoffice: credentials from the environment, the login chain, cached sessions,
a person's login."""
