"""memberdesk: the member-services platform for health plans."""

__version__ = "0.1.0"
