"""The sitter's screen: a pygame-ce renderer of a small view model, plus its inputs.

``view.py`` turns the session's :class:`~booth.types.Actions` and the newest camera image
into a :class:`~booth.ui.view.View` (plain values: text, colours, images); ``screen.py``
owns the window and hands a View to the widget for its state (``widgets/``: one small class
per part of the screen, all drawing through one Canvas and one text layout, ``text.py``),
and turns touches and keys (``keys.py``) into :class:`~booth.types.SessionEvent`;
``buttons.py`` does the same for GPIO push buttons. The screen knows nothing of faces.
"""
