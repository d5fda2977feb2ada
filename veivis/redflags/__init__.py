"""Deterministic red-flag detection: is someone in danger right now?"""

from veivis.redflags.detector import Detection, detect, load_patterns

__all__ = ["Detection", "detect", "load_patterns"]
