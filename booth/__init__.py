"""Headshot booth firmware.

Data flows one way: camera frame -> face observation -> assessment -> decision
(prompt, light levels, capture) -> screen and store. Hardware sits at the edges.
"""

__version__ = "0.1.0"
