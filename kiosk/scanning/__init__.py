"""Scanning for residents: SANE scanner, visit-bound pages, PDF (optionally searchable), USB sticks; no Kivy."""
