"""The browser fixtures of tests/web (a live server, Debian's chromium, screenshots) for the
contacts pages' browser test."""

from tests.web.conftest import checked, chromium, live, screens  # noqa: F401
