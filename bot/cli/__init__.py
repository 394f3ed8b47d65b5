"""The ``yichuang`` command line: one module per sub-command, joined in ``main``."""
