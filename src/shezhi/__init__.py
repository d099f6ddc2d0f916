"""社治港 (Shezhi Harbor): a community-governance platform."""

__version__ = "0.1.0"
