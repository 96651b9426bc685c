"""The shapes requests must have: the kiosk API's (schemas.kiosk) and the staff console's (schemas.console)."""
