"""ybss: 一标三实 platform for a county public-security bureau."""

__version__ = "0.1.0"
