"""The browser: finding and launching Chromium or reaching a remote one, traces, and Playwright's errors
retried as ours."""
