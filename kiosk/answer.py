"""Intent -> what the kiosk says: passages of the document, or one of its fixed prompts.

Only approved text is ever returned. Anything without passages to read (out of scope, an
unknown intent, an intent whose passages are missing) gets the `no_information` prompt.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.content import OUT_OF_SCOPE, Content
from kiosk.errors import ContentError

#: control intents answered by the prompt of the same name (the rate and volume prompts are
#: the one-step ones; the conversation picks `slowest` etc. when at a limit)
PROMPT_INTENTS = ("help", "staff", "emergency", "slower", "faster", "louder", "quieter")


@dataclass(frozen=True)
class Answer:
    """What is said for one intent."""

    text: str
    """The spoken text; passages are separated by a blank line. Empty for `stop`."""
    passages: tuple[str, ...]
    """Ids of the passages read, in order (empty for prompts)."""
    prompt: str | None
    """The prompt key used, if the answer is a fixed prompt."""


def prompt(content: Content, key: str) -> Answer:
    """The fixed prompt `key`; a missing prompt is a content error."""
    found = content.prompts.get(key)
    if found is None:
        raise ContentError(f"{content.prompts_file}:1: missing prompt '{key}'")
    return Answer(found.text, (), key)


def passages(content: Content, ids: tuple[str, ...]) -> Answer:
    """The passages `ids` that exist, in order; `no_information` if none do."""
    found = tuple(i for i in ids if i in content.document.passages)
    if not found:
        return prompt(content, "no_information")
    return Answer("\n\n".join(content.passage_texts(found)), found, None)


def answer(content: Content, intent: str | None) -> Answer:
    """What a stateless kiosk says for `intent` (None: out of scope)."""
    if intent is None or intent == OUT_OF_SCOPE:
        return prompt(content, "no_information")
    if intent == "overview":
        body = passages(content, tuple(line.text for line in content.overview))
        start, end = prompt(content, "overview_start"), prompt(content, "overview_end")
        return Answer("\n\n".join((start.text, body.text, end.text)), body.passages, None)
    if intent == "repeat":
        return prompt(content, "nothing_to_repeat")
    if intent == "stop":  # nothing is playing: what the kiosk says to "stop" when quiet
        return prompt(content, "resting")
    if intent in PROMPT_INTENTS:
        return prompt(content, intent)
    return passages(content, content.intent_passages(intent))
