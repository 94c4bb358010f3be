"""Domain words and phrases from the intent files, to bias recognition toward them.

Whisper gets an initial prompt naming the procedure's words (kyphoplasty, vertebra, cement...),
and the wake phrase in wake mode;
Vosk gets a phrase list (every intent example, plus "[unk]" for anything else).
"""

from __future__ import annotations

import re
from collections import Counter

from kiosk.content import Content

WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
"""A spoken word: letters, with an optional apostrophe part (don't, it's)."""
COMMON = frozenset((
    "about", "after", "again", "also", "always", "another", "around", "because", "been",
    "before", "being", "bones", "could", "doctor", "does", "doing", "during", "every", "feel",
    "getting", "going", "having", "happen", "happens", "their", "there", "these", "thing",
    "things", "think", "those", "through", "today", "until", "what", "when", "where", "which",
    "while", "will", "with", "would", "your", "yours", "should", "really", "right", "start",
    "still", "take", "takes", "tell", "them", "then", "they", "this", "make", "much", "need",
    "needs", "other", "people", "procedure", "something", "someone", "anything",
))  # fmt: skip
"""Frequent words that need no biasing."""
PROMPT_WORDS = 40
"""How many domain words the Whisper prompt names (the prompt must stay short)."""
PROMPT_INTRO = "Questions about kyphoplasty, vertebral augmentation"
"""How the Whisper prompt starts."""
WAKE_EXAMPLE = "I have a question."
"""What follows the wake phrase in the Whisper prompt."""
UNKNOWN = "[unk]"
"""Vosk's phrase for anything outside the list."""


def words(text: str) -> list[str]:
    """The lower-case words of `text`."""
    return WORD.findall(text.lower())


def phrases(content: Content) -> list[str]:
    """Every intent example (out-of-scope ones too, so they are heard and rejected) + [unk]."""
    seen: dict[str, None] = {}
    for intent in content.intents.values():
        for example in intent.examples:
            phrase = " ".join(words(example.text))
            if phrase:
                seen[phrase] = None
    return [*seen, UNKNOWN]


def domain_words(content: Content, limit: int = PROMPT_WORDS) -> list[str]:
    """Uncommon words shared by the intent examples and the document, most frequent first."""
    document = {w for p in content.document.passages.values() for w in words(p.text)}
    document |= set(words(content.document.title))
    counts: Counter[str] = Counter()
    for intent in content.intents.values():
        for example in intent.examples:
            counts.update(w for w in words(example.text) if _is_domain(w, document))
        if intent.topic is not None:
            counts.update(w for w in words(intent.topic.text) if _is_domain(w, document))
    return [w for w, _ in counts.most_common(limit)]


def prompt(content: Content, wake_phrase: str | None = None) -> str:
    """The Whisper initial prompt: the procedure and its domain words; in wake mode, then the
    wake phrase as it is used (else the domain words pull "kiosk" toward "kyphoplasty").

    The wake phrase goes last, in a sentence of its own: first, Whisper still heard "hello
    kyphoplasty"; alone at the end, it was dropped from what followed as already said."""
    found = [w for w in domain_words(content) if w not in PROMPT_INTRO.lower()]
    text = f"{PROMPT_INTRO}: {', '.join(found)}." if found else f"{PROMPT_INTRO}."
    if wake_phrase:
        text += f" {wake_phrase.strip().capitalize()}, {WAKE_EXAMPLE}"
    return text


def _is_domain(word: str, document: set[str]) -> bool:
    return len(word) >= 5 and word in document and word not in COMMON
