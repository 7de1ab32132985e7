#!/usr/bin/python3
"""Issue 10, item 4: the control-surface layouts of config/surfaces/ against the daemon's own command
table. Parses the Open Stage Control session (JSON) and the TouchOSC layout (the .tosc, zlib-compressed
XML, which must hold the committed XML), lists every OSC message each control sends and every address
each display listens to, and checks them against `latentjam --osc-help` (the Markdown reference the
daemon prints from its command table): the address exists, the argument count and types fit (an i
accepts a float, an f an int, as the daemon does), fader ranges lie within the bounds, buttons send
only on press, displays listen to addresses the daemon pushes, and both layouts cover the same
controls. Also checks that make_surfaces.py still produces the committed files.
Usage: tests/clients/surfaces_test.py BUILD/latentjam
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SURFACES = os.path.join(ROOT, "config", "surfaces")
failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


# ------------------------------------------------------------------ the daemon's command table

def read_reference(binary):
    text = subprocess.run([binary, "--osc-help"], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    commands = {}
    for line in text.splitlines():
        m = re.match(r"\| `(/[^`]+)` \| ([^|]*) \| ([^|]*) \|", line)
        if not m:
            continue
        address, arguments, bounds = m.group(1), m.group(2).strip(), m.group(3).strip()
        params = []
        for token in re.findall(r"\[?[sif](?:\.\.\.)?:[A-Za-z_]+\]?", arguments.replace("`", "")):
            optional = token.startswith("[")
            t = token.strip("[]")
            params.append((t[0], t.split(":")[1], optional, "..." in t))
        limits = {}
        for name, lo, hi in re.findall(r"([A-Za-z_]+) (-?[0-9.]+)\.\.(-?[0-9.]+)", bounds):
            limits[name] = (float(lo), float(hi))
        commands[address] = dict(params=params, limits=limits)
    buttons = set()
    m = re.search(r"## Buttons\n\n(.*?)take a trailing float", text, re.S)
    if m:
        buttons = set(re.findall(r"`(/jam/[^`]+)`", m.group(1)))
    pushes = set()
    m = re.search(r"## Feedback to surfaces\n(.*?)\n## ", text, re.S)
    if m:
        # Each pushed address is written with its arguments: `/jam/tempo f:BPM`. (The section also
        # shows `/jam/subscribe i:PORT i:1`, a command a surface sends, not a push.)
        for address in re.findall(r"`(/jam/[^` ]+) [sif]:", m.group(1)):
            if address not in ("/jam/subscribe", "/jam/unsubscribe"):
                pushes.add(address.replace("/N", "/*").replace("/K", "/*"))
    return commands, buttons, pushes


def find_command(commands, address):
    if address in commands:
        return address, commands[address]
    for pattern, spec in commands.items():
        if pattern.endswith("/*") and address.startswith(pattern[:-1]):
            tail = address[len(pattern) - 1:]
            if tail.isdigit():
                return pattern, spec
    return None, None


def check_send(where, address, args, commands, buttons, value_range=None):
    """args: [(type, value or None)] as the control sends them."""
    pattern, spec = find_command(commands, address)
    if spec is None:
        fail(f"{where}: sends {address}, which is not in the daemon's command table")
        return
    if pattern == "/jam/slider/*" and not 1 <= int(address.rsplit("/", 1)[1]) <= 8:
        fail(f"{where}: {address}: there are sliders 1..8")
    params = list(spec["params"])
    if address in buttons and args and args[-1][0] == "f":
        # A trailing float on a button command is the button's value, not a parameter; 1 runs it.
        if args[-1][1] is not None and float(args[-1][1]) == 0:
            fail(f"{where}: {address} sends 0, which the daemon ignores as a button's release")
        args = args[:-1]
    required = [p for p in params if not p[2]]
    variadic = any(p[3] for p in params)
    if len(args) < len(required) or (not variadic and len(args) > len(params)):
        fail(f"{where}: {address} with {len(args)} arguments; the daemon takes "
             f"{' '.join(('[' if p[2] else '') + p[0] + ':' + p[1] + (']' if p[2] else '') for p in params) or 'none'}")
        return
    # Optional parameters are positional: a first string argument fills the first string slot.
    slots = iter(params)
    for t, v in args:
        for p in slots:
            if p[0] == t or {p[0], t} == {"i", "f"}:
                if p[0] == "i" and t == "f" and v is not None and float(v) != int(float(v)):
                    fail(f"{where}: {address}: {p[1]} must be an integer, sends {v}")
                lim = spec["limits"].get(p[1])
                if lim and v is not None and not lim[0] <= float(v) <= lim[1]:
                    fail(f"{where}: {address}: {p[1]} {v} is outside {lim[0]}..{lim[1]}")
                if lim and v is None and value_range and not (lim[0] <= value_range[0] and value_range[1] <= lim[1]):
                    fail(f"{where}: {address}: range {value_range} exceeds {p[1]}'s {lim[0]}..{lim[1]}")
                break
            if not p[2]:
                fail(f"{where}: {address}: sends {t} where the daemon expects {p[0]}:{p[1]}")
                return
        else:
            fail(f"{where}: {address}: argument {t}:{v} fits no parameter")
            return
    print(f"ok: {where}: {address} {' '.join(t + ':' + (str(v) if v is not None else 'VALUE') for t, v in args)}")


def check_show(where, address, pushes):
    if not any(address == p or (p.endswith("/*") and address.startswith(p[:-1]) and address[len(p) - 1:].isdigit())
               for p in pushes):
        fail(f"{where}: shows {address}, which the daemon does not push (docs/osc.md, Feedback to surfaces)")
    else:
        print(f"ok: {where}: shows {address}")


# ------------------------------------------------------------------ Open Stage Control

def walk_osc(widget):
    yield widget
    for key in ("widgets", "tabs"):
        for child in widget.get(key, []) or []:
            yield from walk_osc(child)


def check_open_stage_control(path, commands, buttons, pushes):
    with open(path) as f:
        session = json.load(f)
    if session.get("type") != "session" or session.get("createdWith") != "Open Stage Control":
        fail(f"{path}: not an Open Stage Control session file")
    root = session.get("content", {})
    if root.get("type") != "root":
        fail(f"{path}: content is not a root widget")
    if "send('/jam/subscribe'" not in root.get("onCreate", ""):
        fail(f"{path}: the root does not subscribe on load")
    ids = set()
    for w in walk_osc(root):
        wid, wtype = w.get("id"), w.get("type")
        if wtype in ("root", "tab", "panel"):
            continue
        if wid in ids:
            fail(f"{path}: two widgets with the id {wid}")
        ids.add(wid)
        where = f"OSC {wid}"
        address = w.get("address")
        if not address or not address.startswith("/"):
            fail(f"{where}: no address")
            continue
        if w.get("bypass"):
            check_show(where, address, pushes)
            continue
        pre = w.get("preArgs", [])
        pre = pre if isinstance(pre, list) else [pre]
        tags = w.get("typeTags", "")
        if wtype == "button":
            if w.get("mode") not in ("tap", "momentary"):
                fail(f"{where}: mode {w.get('mode')} sends a release (0); use tap")
            values = pre + [w.get("on", 1)]
            vrange = None
        elif wtype == "fader":
            values = pre + [None]
            vrange = (w["range"]["min"], w["range"]["max"])
        elif wtype == "xy":
            values = pre + [None, None]
            vrange = (w["rangeX"]["min"], w["rangeX"]["max"])
            if (w["rangeY"]["min"], w["rangeY"]["max"]) != vrange:
                fail(f"{where}: x and y ranges differ")
        elif wtype == "input":
            values = pre + [None]
            vrange = None
        else:
            fail(f"{where}: unexpected widget type {wtype}")
            continue
        if len(tags) != len(values):
            fail(f"{where}: typeTags {tags!r} for {len(values)} arguments")
            continue
        check_send(where, address, list(zip(tags, values)), commands, buttons, vrange)
        if wtype in ("fader", "xy"):
            check_show(where, address, pushes)
    return ids


# ------------------------------------------------------------------ TouchOSC

def prop_of(node, key):
    for p in node.findall("properties/property"):
        if p.findtext("key") == key:
            return p.find("value")
    return None


def check_touchosc(tosc_path, xml_path, commands, buttons, pushes):
    with open(tosc_path, "rb") as f:
        data = zlib.decompress(f.read())
    with open(xml_path, "rb") as f:
        if f.read() != data:
            fail(f"{tosc_path} does not hold {xml_path}: run config/surfaces/make_surfaces.py")
    root = ET.fromstring(data)
    if root.tag != "lexml" or root.get("version") != "3":
        fail(f"{tosc_path}: not a TouchOSC lexml version 3 document")
    top = root.find("node")
    script = prop_of(top, "script")
    if script is None or "sendOSC('/jam/subscribe'" not in (script.text or ""):
        fail(f"{tosc_path}: the root script does not subscribe on load")
    names = set()
    for node in top.iter("node"):
        name = prop_of(node, "name").text
        if node is top or name.endswith("_caption"):
            continue
        names.add(name)
        where = f"TouchOSC {name}"
        messages = node.findall("messages/osc")
        if not messages:
            fail(f"{where}: no OSC message")
        for osc in messages:
            path = "".join(p.findtext("value") for p in osc.findall("path/partial"))
            args = []
            for p in osc.findall("arguments/partial"):
                t = {"FLOAT": "f", "INTEGER": "i", "STRING": "s"}[p.findtext("conversion")]
                if p.findtext("type") == "CONSTANT":
                    args.append((t, p.findtext("value")))
                else:
                    args.append((t, None))
            send, receive = osc.findtext("send") == "1", osc.findtext("receive") == "1"
            if node.get("type") == "BUTTON":
                if osc.findtext("triggers/trigger/condition") != "RISE":
                    fail(f"{where}: a button must send on RISE only (its release is a 0)")
                # The button's value x is 1 when pressed.
                args = [(t, 1 if v is None else v) for t, v in args]
            vrange = None
            values = [p for p in osc.findall("arguments/partial") if p.findtext("type") == "VALUE"]
            if values and node.get("type") in ("FADER", "XY"):
                vrange = (float(values[0].findtext("scaleMin")), float(values[0].findtext("scaleMax")))
            if send:
                check_send(where, path, args, commands, buttons, vrange)
            if receive:
                check_show(where, path, pushes)
    return names


def main():
    if len(sys.argv) < 2 or not os.access(sys.argv[1], os.X_OK):
        print("usage: surfaces_test.py BUILD/latentjam")
        return 2
    commands, buttons, pushes = read_reference(sys.argv[1])
    if len(commands) < 20 or not buttons or not pushes:
        fail(f"could not read the command table from --osc-help ({len(commands)} commands, "
             f"{len(buttons)} buttons, {len(pushes)} pushed addresses)")
        return 1
    print(f"daemon: {len(commands)} commands, buttons {sorted(buttons)}, pushes {sorted(pushes)}")

    with tempfile.TemporaryDirectory() as tmp:  # the generator still makes the committed files
        subprocess.run([sys.executable, os.path.join(SURFACES, "make_surfaces.py"), tmp], check=True)
        for name in ("latentjam-openstagecontrol.json", "latentjam-touchosc.xml"):
            with open(os.path.join(tmp, name), "rb") as a, open(os.path.join(SURFACES, name), "rb") as b:
                if a.read() != b.read():
                    fail(f"config/surfaces/{name} differs from what make_surfaces.py makes: run it")

    osc_ids = check_open_stage_control(os.path.join(SURFACES, "latentjam-openstagecontrol.json"),
                                       commands, buttons, pushes)
    tosc_names = check_touchosc(os.path.join(SURFACES, "latentjam.tosc"),
                                os.path.join(SURFACES, "latentjam-touchosc.xml"), commands, buttons, pushes)
    if osc_ids != tosc_names:
        fail(f"the layouts cover different controls: only Open Stage Control {sorted(osc_ids - tosc_names)}, "
             f"only TouchOSC {sorted(tosc_names - osc_ids)}")
    required = {"/jam/focus", "/jam/random", "/jam/trigger", "/jam/label", "/jam/prompt", "/jam/xy",
                "/jam/tempo", "/jam/gain", "/jam/play", "/jam/stop", "/jam/undo", "/jam/subscribe",
                "/jam/label/text", "/jam/prompt/text", "/jam/beat", "/jam/examples/count", "/jam/playing"}
    required |= {f"/jam/slider/{n}" for n in range(1, 9)} | {f"/jam/examples/row/{k}" for k in range(1, 9)}
    with open(os.path.join(SURFACES, "latentjam-openstagecontrol.json")) as f:
        used = {w.get("address") for w in walk_osc(json.load(f)["content"])}
    if required - used:
        fail(f"the layouts lack {sorted(required - used)}")
    if failures:
        print(f"{len(failures)} problems")
        return 1
    print(f"PASS: {len(osc_ids)} controls in both layouts fit the daemon's command table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
