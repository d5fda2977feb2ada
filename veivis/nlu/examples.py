"""The NLU training examples (data/nlu/*.yml) as plain (intent, text) pairs.

Read by the danger classifier (everyday questions are its «none») and the answer search
(«Mente du …?»); entity annotations («[kola](substance)») are reduced to their text.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

import yaml

NLU_DIR = Path(__file__).resolve().parents[2] / "data" / "nlu"
_EXAMPLE = re.compile(r"^\s*-\s+(.*\S)\s*$")
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def intent_examples(directory: Path = NLU_DIR) -> List[Tuple[str, str]]:
    found = []
    for path in sorted(directory.glob("*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples", "")).splitlines():
                match = _EXAMPLE.match(line)
                if match:
                    text = _ANNOTATION.sub(lambda m: m[1] if m[1] is not None else m[2], match[1])
                    found.append((block["intent"], text))
    return found
