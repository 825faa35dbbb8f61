"""A subpackage: walked too."""
