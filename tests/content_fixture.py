"""Small inline content (document, overview, prompts, a few intents) written into a folder."""

from __future__ import annotations

from pathlib import Path

from kiosk.config import ContentConfig, MatcherConfig
from kiosk.content import REQUIRED_PROMPTS

DOCUMENT = """\
# Test document

<!-- the condition -->
## fracture-what
facts: F1

A compression fracture is a break in a bone of the spine.

It squashes the bone into a wedge.

## procedure-length
facts: F21

It usually takes less than one hour.

## going-home
facts: F23, F24

Many people go home the same day.
"""
OVERVIEW = "overview:\n  - fracture-what\n  - procedure-length\n"
INTENTS = {
    "condition": ("what is wrong with my back", "what is a compression fracture",
                  "what does fracture mean", "what is a broken vertebra",
                  "tell me about the fracture", "what have i got"),
    "duration": ("how long does it take", "how long will i be in there", "how many minutes",
                 "is it a long procedure", "how much time does it need", "how long is the op"),
    "going_home": ("can i go home today", "will i stay overnight", "when can i leave",
                   "do i have to stay in hospital", "can i go home the same day",
                   "will i be kept in"),
    "help": ("what can i ask", "help", "what do you know about", "what can you do",
             "what questions can i ask", "how does this work"),
    "out_of_scope": ("what are the risks", "how much does it cost", "can i eat before",
                     "where is the toilet", "when can i drive", "what is the weather like",
                     "is there parking", "can i have a coffee"),
}  # fmt: skip
PASSAGES = {"condition": "[fracture-what]", "duration": "[procedure-length]",
            "going_home": "[going-home]"}  # fmt: skip
TESTS = {"duration": ("how many minutes will it take",), "going_home": ("can i go home",),
         "condition": ("what is wrong with my spine",), "help": ("what can i ask you",),
         "out_of_scope": ("how much will it cost",)}  # fmt: skip


def intent_yaml(name: str, examples: tuple[str, ...]) -> str:
    """One intent file's text."""
    lines = [f"intent: {name}"]
    if name != "out_of_scope":
        lines.append(f"topic: the {name.replace('_', ' ')}")
    if name in PASSAGES:
        lines.append(f"passages: {PASSAGES[name]}")
    return "\n".join([*lines, "examples:", *(f"  - {e}" for e in examples)]) + "\n"


def write_content(root: Path) -> ContentConfig:
    """Write the fixture under `root` (and `root/kiosk.yaml` for the CLI); its config."""
    (root / "documents").mkdir(parents=True)
    (root / "intents" / "tests").mkdir(parents=True)
    (root / "documents" / "doc.md").write_text(DOCUMENT)
    (root / "documents" / "overview.yaml").write_text(OVERVIEW)
    prompts = [f'  {key}: "The {key} prompt."' for key in REQUIRED_PROMPTS if key != "confirm"]
    prompts.append('  confirm: "Did you want to know about {topic}?"')
    (root / "documents" / "prompts.yaml").write_text("prompts:\n" + "\n".join(prompts) + "\n")
    for name, examples in INTENTS.items():
        (root / "intents" / f"{name}.yaml").write_text(intent_yaml(name, examples))
        tests = "\n".join(f"  - {t}" for t in TESTS[name])
        (root / "intents" / "tests" / f"{name}.yaml").write_text(
            f"intent: {name}\nmatch:\n{tests}\n"
        )
    (root / "kiosk.yaml").write_text(
        "content:\n  document: documents/doc.md\n  overview: documents/overview.yaml\n"
        "  prompts: documents/prompts.yaml\n  intents: intents\nmatcher:\n  cache: cache\n"
    )
    return ContentConfig(
        document=root / "documents" / "doc.md",
        overview=root / "documents" / "overview.yaml",
        prompts=root / "documents" / "prompts.yaml",
        intents=root / "intents",
    )


def matcher_config(root: Path) -> MatcherConfig:
    """A matcher configuration caching under `root`."""
    return MatcherConfig(cache=root / "cache")
