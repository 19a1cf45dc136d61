"""The backoffice's sections (everything under `/<store id>/admin/` after login): one module per page of the
real sidebar menu, each a blueprint made with `storebp.admin_blueprint`."""
