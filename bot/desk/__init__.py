"""The guide desk: staff accounts, sessions and the JSON API behind ``/desk``."""
