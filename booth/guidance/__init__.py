"""The booth's judgement: checks per frame, a coach that turns them into one calm prompt,
and the best-frame buffer that picks the photo.

Each stage is a pure step on typed values (``booth/types.py``)::

    FaceObservation --evaluate_checks--> (Check, ...) --Coach--> Assessment
    Candidate* --BestFrameBuffer.best--> (Candidate, ...)
"""
