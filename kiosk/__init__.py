"""Core of the KAC self-service kiosk: configuration, sessions, services and the command line, with no widgets."""

__version__ = "0.1.0"
