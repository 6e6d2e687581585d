"""Contacts on every channel, identity verification, one-contact resolution, voicemail callbacks."""
