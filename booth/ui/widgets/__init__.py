"""The screen's widgets: each a small class that draws one part of a
:class:`~booth.ui.view.View` onto the shared :class:`~booth.ui.widgets.canvas.Canvas`.

============================  =====================================================
``canvas.py``                 the surface, palette, text (via ``booth/ui/text.py``),
                              buttons, touch targets, dimming, scaled photos
``geometry.py``               screen regions, placing the preview, readiness colour
``preview.py``                PreviewWithGuide: mirrored preview, crop guide, move arrow
``prompt_bar.py``             PromptBar: the band with the one large prompt line
``countdown.py``              Countdown: the number next to the lens, "look here"
``guiding.py``                Guiding: guiding / countdown / capturing, shutter, skip
``attract.py``                Attract and the LanguageButtons row
``consent.py``                Consent: the organiser's text, agree / decline
``review.py``                 Review: the best frames, Keep / Retake
``series_review.py``          SeriesReview: the actor series as a set
``thank_you.py``              ThankYou: the kept photo and the QR code
``out_of_service.py``         ErrorScreen (red band) and OutOfService (paused)
============================  =====================================================

:class:`~booth.ui.screen.Screen` owns the window, the event polling and the choice of
widget for the view's state; the widgets never poll, sleep or keep a thread.
"""
