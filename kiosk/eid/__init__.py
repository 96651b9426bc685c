"""Latvian eID cards over PC/SC: card profiles, reading the identity, PIN proof and the reader monitor."""
