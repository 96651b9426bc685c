"""The desk's HTTP routes: the kiosk API, staff login and the console."""
