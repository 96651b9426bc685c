"""The national catalogue and settings for every centre: signed bundles, their keys, and the kiosk's copy of them."""
