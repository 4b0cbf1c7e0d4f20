#!/usr/bin/env python3
"""Builds the distillation corpus and the second held-out set from Debian packages.

    apt-get download wordnet-base fortunes-min
    dpkg-deb -x wordnet-base_*.deb wn && dpkg-deb -x fortunes-min_*.deb fm
    python3 models/src/etc/make-distill-texts.py wn fm models/src/main/resources/texts

Writes texts/heldout-fortunes.txt (300 sentences from fortunes-min's `fortunes` and `literature` files) and
texts/wordnet-corpus.txt.gz (60,000 WordNet 3.0 glosses and example sentences of at least four words), both
deduplicated and disjoint from each other and from texts/calibration.txt and texts/heldout.txt. Seeded: the same
packages give the same files.
"""
import gzip
import random
import re
import sys
from pathlib import Path

wn, fm, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])


def key(text):
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def fortunes():
    texts = []
    for name in ("fortunes", "literature"):
        raw = (fm / "usr/share/games/fortunes" / name).read_text(encoding="latin-1")
        for entry in raw.split("\n%\n"):
            lines = [l.strip() for l in entry.strip().splitlines()]
            # Attributions, dialogues and verse are left out: one run of prose per entry.
            if any(l.startswith("--") or ":" in l[:12] for l in lines) or len(lines) > 4:
                continue
            text = " ".join(l for l in lines if l)
            words = text.split()
            if 5 <= len(words) <= 40 and text.isascii():
                texts.append(text)
    return texts


def wordnet():
    texts = []
    for pos in ("noun", "verb", "adj", "adv"):
        for line in (wn / "usr/share/wordnet" / ("data." + pos)).read_text(encoding="latin-1").splitlines():
            if line.startswith("  ") or " | " not in line:
                continue
            gloss = line.split(" | ", 1)[1].strip()
            examples = re.findall(r'"([^"]+)"', gloss)
            definition = gloss.split('"', 1)[0].strip().rstrip(";").strip()
            for text in [definition] + examples:
                text = text.strip()
                if len(text.split()) >= 4:
                    texts.append(text)
    return texts


taken = {key(t) for f in ("calibration.txt", "heldout.txt") for t in (out / f).read_text().splitlines() if t.strip()}
random.seed(20261207)
heldout = []
for t in sorted(set(fortunes())):
    if key(t) not in taken:
        heldout.append(t)
random.shuffle(heldout)
heldout = heldout[:300]
taken |= {key(t) for t in heldout}
corpus = []
seen = set()
for t in wordnet():
    k = key(t)
    if k not in taken and k not in seen:
        seen.add(k)
        corpus.append(t)
random.shuffle(corpus)
corpus = corpus[:60000]
(out / "heldout-fortunes.txt").write_text("\n".join(heldout) + "\n")
with gzip.GzipFile(out / "wordnet-corpus.txt.gz", "wb", mtime=0) as f:
    f.write(("\n".join(corpus) + "\n").encode())
print(len(heldout), "held-out,", len(seen), "distinct WordNet texts,", len(corpus), "in the corpus")
