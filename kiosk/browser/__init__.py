"""Doing the e-service on this computer: a locked Chromium inside the resident's visit, driven by Playwright."""
