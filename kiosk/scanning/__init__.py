"""Scanning for residents: SANE scanner, session-bound pages, PDF (optionally searchable), USB sticks; no Kivy."""
