"""The work: the sync job, its state, the consolidated outputs and the command line."""

__version__ = "0.1.0"
