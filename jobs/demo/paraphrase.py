"""Reword a demo sentence the way real reports differ from one another.

Units start from the same model texts but rarely copy them word for word: one opens with a
connective, one uses a synonym, one leaves a word out, one swaps two clauses. ``reword`` does
that to a sentence with the data of text.toml's [paraphrase] table, so that the draft's
grouping of near-identical sentences (jobs.outputs.synthesis) is measured on text that varies.
Each change keeps the sentence's meaning, and so its ground-truth label.
"""

from __future__ import annotations

from random import Random

from .text import Paraphrase

# How often each change is made to a sentence.
OPENER, SYNONYM, DROP, SWAP = 0.15, 0.35, 0.3, 0.2


def reword(sentence: str, bank: Paraphrase, rng: Random, force: bool = False) -> str:
    """``sentence`` with some of the changes applied (at least one when ``force`` and one
    applies: a sentence without a synonym, a droppable word or two clauses may stay as is)."""
    changed = sentence
    for _ in range(50 if force else 1):
        if rng.random() < SWAP:
            changed = _swap(changed)
        if rng.random() < SYNONYM:
            changed = _synonym(changed, bank, rng)
        if rng.random() < DROP:
            changed = _drop(changed, bank, rng)
        if rng.random() < OPENER:
            changed = _opener(changed, bank, rng)
        if changed != sentence:
            break
    return changed


def _swap(sentence: str) -> str:
    """ "X; Y." → "Y; x." when the sentence has exactly two clauses."""
    body, stop = (sentence[:-1], sentence[-1]) if sentence[-1:] in ".!?" else (sentence, "")
    parts = body.split("; ")
    if len(parts) != 2 or not _plain_start(parts[0]):
        return sentence
    first, second = parts
    return f"{second[:1].upper()}{second[1:]}; {first[:1].lower()}{first[1:]}{stop}"


def _plain_start(text: str) -> bool:
    """Starts with an ordinary word, which may go to lower case (not a name or an acronym)."""
    words = text.split()
    return len(words) > 1 and words[0][1:].islower() and words[1][:1].islower()


def _synonym(sentence: str, bank: Paraphrase, rng: Random) -> str:
    pairs = [(a, b) for a, b in bank.synonyms if a in sentence] + [
        (b, a) for a, b in bank.synonyms if b in sentence and a not in sentence
    ]
    if not pairs:
        return sentence
    old, new = rng.choice(pairs)
    return sentence.replace(old, new, 1)


def _drop(sentence: str, bank: Paraphrase, rng: Random) -> str:
    found = [w for w in bank.droppable if f" {w} " in sentence]
    if not found:
        return sentence
    return sentence.replace(f" {rng.choice(found)} ", " ", 1)


def _opener(sentence: str, bank: Paraphrase, rng: Random) -> str:
    if not _plain_start(sentence) or sentence.startswith(tuple(bank.openers)):
        return sentence
    return rng.choice(bank.openers) + sentence[:1].lower() + sentence[1:]
