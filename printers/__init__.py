"""Printing for the kiosk: receipt-printer layouts (ESC/POS bytes) and A4 forms (PDF), no hardware needed."""
