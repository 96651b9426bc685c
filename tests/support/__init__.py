"""Helpers the tests (and the benches) import or run: not tests themselves, so pytest collects nothing here."""
