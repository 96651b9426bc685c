"""Core of the KAC self-service kiosk: configuration, visits, services and the command line, with no widgets."""

__version__ = "0.1.0"
