"""The fleet file: stores, defaults, groups, languages, store ids as file names, the notify: section."""
