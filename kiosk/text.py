"""Normalise a question: lower case, no punctuation, contractions expanded, fillers removed,
one spelling per word (US), number words as digits, common speech-recognition slips fixed, and
negated rate/volume complaints ("not so loud") said the plain way ("too loud").

`normalize("Um, so what's the anaesthetic like?")` -> `"what is the anesthetic like"`.
"""

from __future__ import annotations

import re

CONTRACTIONS = {
    "can't": "can not", "cannot": "can not", "won't": "will not", "shan't": "shall not",
    "let's": "let us", "i'm": "i am", "it's": "it is", "what's": "what is",
    "where's": "where is", "how's": "how is", "who's": "who is", "that's": "that is",
    "there's": "there is", "when's": "when is", "why's": "why is",
    # speech recognisers often drop the apostrophe
    "cant": "can not", "dont": "do not", "doesnt": "does not", "didnt": "did not",
    "isnt": "is not", "wont": "will not", "im": "i am", "whats": "what is", "youre": "you are",
    "ive": "i have", "hows": "how is", "thats": "that is", "wouldnt": "would not",
}  # fmt: skip
SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ll", " will"), ("'ve", " have"), ("'d", " would"))
FILLERS = frozenset(
    (
        "um", "umm", "ummm", "uh", "uhh", "uhm", "er", "erm", "err", "hmm", "hm", "mm", "mmm",
        "ah", "ahh", "eh", "please",
    )
)  # fmt: skip
LEADING_FILLERS = frozenset(
    (
        "so", "well", "ok", "okay", "right", "and", "oh", "like", "hi", "hello", "hey", "now",
        "yes", "yeah", "alright", "then", "excuse",
    )
)  # fmt: skip
PHRASE_FILLERS = (
    ("you", "know"), ("i", "mean"), ("excuse", "me"), ("tell", "you", "what"),
)  # fmt: skip
SPELLINGS = {
    "anaesthetic": "anesthetic", "anaesthetics": "anesthetics", "anaesthesia": "anesthesia",
    "anaesthetist": "anesthetist", "anaesthetised": "anesthetized", "anesthetised": "anesthetized",
    "tumour": "tumor", "tumours": "tumors", "stabilise": "stabilize", "stabilises": "stabilizes",
    "stabilised": "stabilized", "stabilising": "stabilizing", "realise": "realize",
    "minimise": "minimize", "sterilise": "sterilize", "immobilise": "immobilize",
    "organise": "organize", "apologise": "apologize", "recognise": "recognize",
    "haemorrhage": "hemorrhage", "paralysed": "paralyzed", "colour": "color",
    "centre": "center", "litre": "liter", "programme": "program", "ageing": "aging",
    "oestrogen": "estrogen", "orthopaedic": "orthopedic", "paediatric": "pediatric",
    "mum": "mom", "favour": "favor", "behaviour": "behavior", "travelling": "traveling",
    "xray": "x ray", "xrays": "x rays", "painkillers": "pain killers",
    "painkiller": "pain killer", "baloon": "balloon", "ballon": "balloon",
    "balloons": "balloon", "vertebrae": "vertebra", "vertebras": "vertebra",
    "kyphoplasties": "kyphoplasty", "kypho": "kyphoplasty", "osteoporotic": "osteoporosis",
}  # fmt: skip
# Words a speech recogniser hears instead of the domain words (from Whisper/Vosk runs).
ASR_PHRASES = {
    ("kai", "foe", "plasty"): "kyphoplasty", ("kyph", "o", "plasty"): "kyphoplasty",
    ("ky", "pho", "plasty"): "kyphoplasty", ("cipher", "plasty"): "kyphoplasty",
    ("kyphoplasty", "plasty"): "kyphoplasty", ("kypho", "plasty"): "kyphoplasty",
    ("high", "foe", "plasty"): "kyphoplasty", ("vertebral", "augmentation"): "kyphoplasty",
    ("osteo", "porosis"): "osteoporosis",
}  # fmt: skip
NEGATED = {
    ("not", "so", "loud"): "too loud", ("not", "as", "loud"): "too loud",
    ("not", "so", "fast"): "too fast", ("not", "as", "fast"): "too fast",
    ("not", "so", "quick"): "too quick", ("not", "so", "quickly"): "too quickly",
    ("not", "so", "slow"): "too slow", ("not", "so", "slowly"): "too slowly",
    ("not", "so", "quiet"): "too quiet", ("not", "so", "quietly"): "too quietly",
    ("not", "loud", "enough"): "too quiet", ("not", "quiet", "enough"): "too loud",
    ("not", "fast", "enough"): "too slow", ("not", "quick", "enough"): "too slow",
    ("not", "slow", "enough"): "too fast",
}  # fmt: skip
"""Negated rate and volume complaints, said the plain way: "not so loud" asks for quieter and
"not loud enough" for louder, but as words they look like the opposite command."""
PHRASES = ASR_PHRASES | NEGATED
"""Every phrase replaced by `words`."""
ASR_WORDS = {
    "kyphoplasti": "kyphoplasty", "kifoplasty": "kyphoplasty", "typhoplasty": "kyphoplasty",
    "kyphoplastie": "kyphoplasty", "vertebrate": "vertebra", "verte": "vertebra",
    "vertibra": "vertebra", "sedated": "sedation", "sedative": "sedation",
    "seditions": "sedation", "sedition": "sedation", "semen": "cement", "segment": "cement",
    "numbed": "numb", "numbing": "numb", "fractured": "fracture",
}  # fmt: skip
NUMBERS = {
    word: str(value)
    for value, word in enumerate(
        (
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        )
    )
}
NUMBERS |= {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "hundred": "100"}
NOT_WORD = re.compile(r"[^a-z0-9' ]+")


def _expand(word: str) -> str:
    word = CONTRACTIONS.get(word, word)
    for suffix, replacement in SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)].replace("'", "") + replacement  # "1''d": no stray '"
    return word.replace("'s", "").replace("'", "")


def _drop_phrases(words: list[str], phrases: tuple[tuple[str, ...], ...]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(words):
        phrase = next((p for p in phrases if tuple(words[index : index + len(p)]) == p), None)
        if phrase is None:
            out.append(words[index])
        index += len(phrase) if phrase else 1
    return out


def _replace_phrases(words: list[str]) -> list[str]:
    out: list[str] = []
    index = 0
    while index < len(words):
        for phrase, replacement in PHRASES.items():
            if tuple(words[index : index + len(phrase)]) == phrase:
                out.extend(replacement.split())
                index += len(phrase)
                break
        else:
            out.append(words[index])
            index += 1
    return out


def words(text: str) -> list[str]:
    """The normalised words of `text`."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = NOT_WORD.sub(" ", text.replace("-", " "))
    expanded = " ".join(_expand(word.strip("'")) for word in text.split()).split()
    found = [w for w in _drop_phrases(expanded, PHRASE_FILLERS) if w not in FILLERS]
    while found and found[0] in LEADING_FILLERS and len(found) > 1:
        found.pop(0)
    mapped = " ".join(SPELLINGS.get(w, ASR_WORDS.get(w, w)) for w in found).split()
    return [NUMBERS.get(w, w) for w in _replace_phrases(mapped)]


def normalize(text: str) -> str:
    """`text` normalised to one line of plain lower-case words."""
    return " ".join(words(text))
