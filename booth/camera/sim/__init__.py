"""The simulated sitter: real photos moved and relit by the booth's own prompts and lights."""

from .photos import PhotoSet, astronaut, photo_folder
from .scenarios import SCENARIOS, Scenario, scenario_named
from .sitter import SimulatedSitter

__all__ = ["PhotoSet", "SCENARIOS", "Scenario", "SimulatedSitter", "astronaut", "photo_folder", "scenario_named"]
