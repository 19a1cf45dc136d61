"""Where a site's state lives: the home (`ECOM_PRIVACY_HOME`, `--home`) and every path in it, with where each
path came from (`ecom-privacy where`)."""
