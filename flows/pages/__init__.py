"""Page objects: one class per backoffice page, owning its locators and reading texts from the label table."""
