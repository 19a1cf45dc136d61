"""Backoffice settings, the login flow and the page objects that hold every selector and label."""
