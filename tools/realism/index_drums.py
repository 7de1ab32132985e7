#!/usr/bin/env python3
"""Writes the index of real drum one-shots (kick, snare, hat) in Debian packages, as a TSV.

Deterministic: the same installed packages give the same bytes. Usage (tools/fetch_drums.sh runs it):
    index_drums.py [--root /usr/share] > tests/data/real_drums.tsv

Columns: path (relative to the root), kit, class (kick|snare|hat), split (train|heldout), licence,
package. A kit is a hydrogen drumkit or one source group of sonic-pi-samples; the split is by kit
family (kits by the same author that may share recordings stay together), so held-out kits are never
seen in training. Files with identical contents are listed once (the first in path order).

Classification is by instrument name (hydrogen's drumkit.xml) or file name (sonic-pi), and is
conservative: rolls, rim clicks, side sticks, claps, swishes, chokes, crashes, rides and anything
ambiguous are left out.
"""
import argparse
import hashlib
import os
import re
import sys
import xml.etree.ElementTree as ET

HYDROGEN = "hydrogen/data/drumkits"
SONIC_PI = "sonic-pi/samples"

# Kit families held out from training: acoustic and electronic, from different authors.
HELDOUT_FAMILIES = {"black-pearl", "bja-pacific", "colombo", "hardelectro", "sonic-pi-menegass"}

# Hydrogen kit directory -> (family, licence from the package's copyright file).
HYDROGEN_KITS = {
    "Audiophob": ("audiophob", "CC0"),
    "BJA_Pacific": ("bja-pacific", "CC-BY-SA-3.0-us"),
    "ColomboAcousticDrumkit": ("colombo", "GPL-2+ with composition exception"),
    "ElectricEmpireKit": ("artemio-electricempire", "GPL-2+"),
    "ForzeeStereo": ("forzee", "GPL-2"),
    "HardElectro1": ("hardelectro", "GPL-2+"),
    "Millo-Drums_v.1": ("millo", "GPL-2"),
    "Millo_MultiLayered2": ("millo", "GPL-2"),
    "Millo_MultiLayered3": ("millo", "GPL-2"),
    "The Black Pearl 1.0": ("black-pearl", "GPL-2"),
    "VariBreaks": ("artemio-varibreaks", "GPL-2+"),
    "rumpf_kit_z01_h2": ("rumpf", "CC-BY-3.0"),
    # "Gimme A Hand 1.0" (hand percussion) and "circAfrique v4" (djembes) have no kick/snare/hat.
}

EXCLUDE = re.compile(r"roll|rim|stick|clap|swish|choke|hat free|crash|ride|splash|china|tom|sample:",
                     re.I)


def local(tag):
    return tag.rsplit("}", 1)[-1]


def classify_instrument(name):
    n = name.lower()
    if not n.strip() or EXCLUDE.search(n):
        return None
    if re.search(r"kick|bass ?drum|\bbd\b", n):
        return "kick"
    if re.search(r"snare", n):
        return "snare"
    if re.search(r"hi-?hat|\bhh\b|\bohh\b|\bhat\b", n):
        return "hat"
    return None


# sonic-pi-samples: file stem -> class; group (kit) by source as the package's README lists it.
SONIC_PI_FILES = {
    # menegass's acoustic kit (freesound), one recording session.
    "drum_bass_hard": ("kick", "menegass"), "drum_bass_soft": ("kick", "menegass"),
    "drum_snare_hard": ("snare", "menegass"), "drum_snare_soft": ("snare", "menegass"),
    "drum_cymbal_closed": ("hat", "menegass"), "drum_cymbal_open": ("hat", "menegass"),
    "drum_cymbal_pedal": ("hat", "menegass"),
    "drum_heavy_kick": ("kick", "misc"),
    # looppool's electronic sounds.
    "elec_hollow_kick": ("kick", "looppool"), "elec_soft_kick": ("kick", "looppool"),
    "elec_snare": ("snare", "looppool"), "elec_hi_snare": ("snare", "looppool"),
    "elec_lo_snare": ("snare", "looppool"), "elec_mid_snare": ("snare", "looppool"),
    "elec_filt_snare": ("snare", "looppool"),
}


def sonic_pi_class(stem):
    if stem in SONIC_PI_FILES:
        return SONIC_PI_FILES[stem]
    if stem.startswith("bd_"):
        return ("kick", "misc")
    if stem.startswith("sn_"):
        return ("snare", "misc")
    return None


def rows(root):
    out = []
    kits_dir = os.path.join(root, HYDROGEN)
    if os.path.isdir(kits_dir):
        for kit in sorted(os.listdir(kits_dir)):
            if kit not in HYDROGEN_KITS:
                continue
            family, licence = HYDROGEN_KITS[kit]
            xml_path = os.path.join(kits_dir, kit, "drumkit.xml")
            tree = ET.parse(xml_path)
            for inst in tree.getroot().iter():
                if local(inst.tag) != "instrument":
                    continue
                name = next((c.text or "" for c in inst if local(c.tag) == "name"), "")
                cls = classify_instrument(name)
                if cls is None:
                    continue
                for el in inst.iter():
                    if local(el.tag) == "filename" and el.text:
                        rel = os.path.join(HYDROGEN, kit, el.text.strip())
                        if os.path.isfile(os.path.join(root, rel)):
                            out.append((rel, kit, cls, family, licence, "hydrogen-drumkits"))
    sp_dir = os.path.join(root, SONIC_PI)
    if os.path.isdir(sp_dir):
        for f in sorted(os.listdir(sp_dir)):
            stem, ext = os.path.splitext(f)
            c = sonic_pi_class(stem) if ext == ".flac" else None
            if c is None:
                continue
            cls, group = c
            out.append((os.path.join(SONIC_PI, f), "sonic-pi-" + group, cls, "sonic-pi-" + group,
                        "CC0", "sonic-pi-samples"))
    out.sort()
    seen, unique = set(), []
    for r in out:
        with open(os.path.join(root, r[0]), "rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        if digest in seen or r[0] in {u[0] for u in unique}:
            continue
        seen.add(digest)
        unique.append(r)
    return unique


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default="/usr/share")
    args = ap.parse_args()
    out = rows(args.root)
    if not out:
        sys.exit("index_drums: no drum samples under %s (run tools/fetch_drums.sh)" % args.root)
    w = sys.stdout
    w.write("# Real drum one-shots from Debian packages; written by tools/realism/index_drums.py.\n")
    w.write("path\tkit\tclass\tsplit\tlicence\tpackage\n")
    for rel, kit, cls, family, licence, package in out:
        split = "heldout" if family in HELDOUT_FAMILIES else "train"
        w.write("\t".join([rel, kit, cls, split, licence, package]) + "\n")


if __name__ == "__main__":
    main()
