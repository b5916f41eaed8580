"""The booth's lights: a GPIO light rig (``rig.py``) and the closed loop that evens out the
light on the sitter's face (``controller.py``).

The controller is pure: observation + state + time in, :class:`~booth.types.LightLevels` out.
The rig is the only part that touches pins. The loop puts the controller's levels into
``Actions.lights`` and the app (or the simulator) hands them to :meth:`LightRig.apply`.
"""
