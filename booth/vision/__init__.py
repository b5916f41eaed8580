"""Face analysis: one camera frame in, one typed :class:`~booth.types.FaceObservation` out.

Stages, each a small step from one value to the next (MediaPipe's graph idea)::

    image --FaceDetector--> Detection(s) --roi_from_detection--> Roi
          --FaceMesh--> MeshResult --IrisModel x2--> EyeResult(s)
          --ExpressionModel--> probabilities   --measures--> FaceMeasures

:class:`booth.vision.analyzer.FaceAnalyzer` wires them together (video mode with tracking,
or static mode for stills).
"""
