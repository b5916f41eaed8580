"""Frame sources: picamera2, USB webcams, recordings and the simulated sitter, behind one interface."""

from .base import CameraDisconnected, CameraFatal, CameraOpenError, CameraTimeout, FrameSource, ResilientSource

__all__ = ["CameraDisconnected", "CameraFatal", "CameraOpenError", "CameraTimeout", "FrameSource", "ResilientSource"]
