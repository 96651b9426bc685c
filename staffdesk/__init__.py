"""The staff desk: help calls, the centre's queue, video consultation bookings and kiosk health."""
