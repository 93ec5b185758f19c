"""draftroom: private sandbox branches for AI assistants, every change an audited, undoable commit."""

__version__ = "0.1.0"
