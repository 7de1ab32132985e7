#!/usr/bin/python3
"""Builds latentjam's control-surface layouts from one list of controls, so both cover the same:

  latentjam-openstagecontrol.json  an Open Stage Control session (JSON, v1 format)
  latentjam-touchosc.xml           a TouchOSC layout as XML (lexml version 3)
  latentjam.tosc                   the same, zlib-compressed: the file TouchOSC opens

Usage: config/surfaces/make_surfaces.py [OUTDIR]   (default: this folder). Python's standard
library only. tests/clients/surfaces_test.py checks every address the layouts send against the
daemon's command table. How to load them: docs/surfaces.md.
"""
import json
import os
import sys
import uuid
import zlib

VOICES = ["kick", "snare", "hat", "loop"]
REPLY_PORT = 9001  # the port the surface receives on (TouchOSC / Open Stage Control setting)

# One entry per control: kind, name, label, geometry on a 1280 x 800 landscape page (x, y, w, h),
# and what it sends or shows. "send": (address, [constant (type, value)...], value types).
CONTROLS = []


def control(kind, name, label, frame, **kw):
    CONTROLS.append(dict(kind=kind, name=name, label=label, frame=frame, **kw))


for i, voice in enumerate(VOICES):  # voice selection
    control("button", f"focus_{voice}", voice, (20 + i * 110, 20, 100, 60),
            send=("/jam/focus", [("s", voice)], ""))
control("button", "random", "random", (470, 20, 120, 60), send=("/jam/random", [], "f"))
for i, voice in enumerate(["kick", "snare", "hat"]):  # trigger pads
    control("button", f"pad_{voice}", voice, (20 + i * 190, 100, 180, 180),
            send=("/jam/trigger", [("s", voice)], "f"))
control("button", "play", "play", (600, 20, 100, 60), send=("/jam/play", [], "f"))
control("button", "stop", "stop", (710, 20, 100, 60), send=("/jam/stop", [], "f"))
control("button", "undo", "undo", (820, 20, 100, 60), send=("/jam/undo", [], "f"))
control("button", "subscribe", "sync", (930, 20, 100, 60),
        send=("/jam/subscribe", [("i", REPLY_PORT)], ""))
control("text", "label_input", "label", (20, 300, 560, 50), send=("/jam/label", [], "s"))
control("text", "prompt_input", "prompt", (20, 360, 560, 50), send=("/jam/prompt", [], "s"))
for n in range(1, 9):
    control("fader", f"slider_{n}", f"{n}", (600 + (n - 1) * 50, 100, 44, 300),
            send=(f"/jam/slider/{n}", [], "f"), range=(0.0, 1.0), default=0.5,
            show=f"/jam/slider/{n}")
control("xy", "xy", "xy", (1010, 100, 250, 300), send=("/jam/xy", [], "ff"),
        range=(0.0, 1.0), default=0.5, show="/jam/xy")
control("fader", "tempo", "tempo", (600, 420, 400, 50), send=("/jam/tempo", [], "f"),
        range=(40.0, 240.0), default=120.0, show="/jam/tempo", horizontal=True)
for i, voice in enumerate(VOICES):
    control("fader", f"gain_{voice}", f"gain {voice}", (600 + i * 100, 490, 90, 40),
            send=("/jam/gain", [("s", voice)], "f"), range=(0.0, 2.0), default=1.0,
            show="/jam/gain", horizontal=True)
control("display", "label_text", "label", (20, 430, 560, 40), show="/jam/label/text")
control("display", "prompt_text", "prompt", (20, 480, 560, 40), show="/jam/prompt/text")
control("display", "beat", "bar.beat", (1010, 420, 120, 50), show="/jam/beat")
control("led", "playing", "playing", (1140, 420, 50, 50), show="/jam/playing")
control("display", "examples_count", "examples", (1200, 420, 60, 50), show="/jam/examples/count")
for k in range(1, 9):
    control("display", f"example_row_{k}", f"example {k}", (20 + ((k - 1) % 2) * 290, 540 + ((k - 1) // 2) * 60, 280, 50),
            show=f"/jam/examples/row/{k}")


# ---------------------------------------------------------------------------- Open Stage Control

def osc_widget(c):
    x, y, w, h = c["frame"]
    widget = {"type": None, "id": c["name"], "left": x, "top": y, "width": w, "height": h}
    if "send" in c:
        address, constants, value_types = c["send"]
        widget["address"] = address
        widget["preArgs"] = [v for _, v in constants if _ == "s"]
        widget["typeTags"] = "".join(t for t, _ in constants if t == "s") + value_types
    if c["kind"] == "button":
        constants = c["send"][1]
        widget.update(type="button", label=c["label"], mode="tap")
        if c["send"][2] == "f":
            widget["on"] = 1  # a tap sends f:1 after the preArgs (latentjam: a button's press)
        else:
            # The value is the message's only argument: an integer port or a constant text.
            t, v = constants[-1]
            widget["preArgs"] = [v for tt, v in constants[:-1]]
            widget["typeTags"] = "".join(tt for tt, _ in constants)
            widget["on"] = v
    elif c["kind"] == "text":
        widget.update(type="input", placeholder=c["label"], align="left")
    elif c["kind"] == "fader":
        widget.update(type="fader", html=c["label"], range={"min": c["range"][0], "max": c["range"][1]},
                      default=c["default"], horizontal=bool(c.get("horizontal")))
    elif c["kind"] == "xy":
        widget.update(type="xy", rangeX={"min": 0, "max": 1}, rangeY={"min": 0, "max": 1},
                      default=[c["default"], c["default"]])
    elif c["kind"] == "display":
        # Shows what latentjam pushes to its address; never sends (bypass).
        widget.update(type="text", address=c["show"], bypass=True, default=c["label"], align="left")
    elif c["kind"] == "led":
        widget.update(type="led", address=c["show"], bypass=True, range={"min": 0, "max": 1})
    return widget


def open_stage_control():
    return {
        "createdWith": "Open Stage Control",
        "version": "1.26.2",
        "type": "session",
        "content": {
            "type": "root",
            "id": "root",
            # On load, ask latentjam for every widget's value and for its pushes from now on: the
            # state dump comes back to the port Open Stage Control sends from (its --osc-port).
            "onCreate": "send('/jam/subscribe')",
            "widgets": [osc_widget(c) for c in CONTROLS],
            "tabs": [],
        },
    }


# ---------------------------------------------------------------------------- TouchOSC

def cdata(text):
    return "<![CDATA[" + str(text).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def prop(ptype, key, value):
    return f"<property type='{ptype}'><key>{cdata(key)}</key><value>{value}</value></property>"


def frame(x, y, w, h):
    return prop("r", "frame", f"<x>{x}</x><y>{y}</y><w>{w}</w><h>{h}</h>")


def color(r, g, b, a=1):
    return prop("c", "color", f"<r>{r}</r><g>{g}</g><b>{b}</b><a>{a}</a>")


def value(key, default):
    return (f"<value><key>{cdata(key)}</key><locked>0</locked><lockedDefaultCurrent>0</lockedDefaultCurrent>"
            f"<default>{cdata(default)}</default><defaultPull>0</defaultPull></value>")


def partial(ptype, conversion, val, lo=0, hi=1):
    return (f"<partial><type>{ptype}</type><conversion>{conversion}</conversion><value>{cdata(val)}</value>"
            f"<scaleMin>{lo}</scaleMin><scaleMax>{hi}</scaleMax></partial>")


def osc_message(path, arguments, send, receive, trigger_var="x", condition="ANY"):
    return (f"<osc><enabled>1</enabled><send>{int(send)}</send><receive>{int(receive)}</receive>"
            "<feedback>0</feedback><noDuplicates>0</noDuplicates><connections>0000000001</connections>"
            f"<triggers><trigger><var>{cdata(trigger_var)}</var><condition>{condition}</condition></trigger></triggers>"
            f"<path>{partial('CONSTANT', 'STRING', path)}</path>"
            f"<arguments>{''.join(arguments)}</arguments></osc>")


def node(ntype, props, values, messages, children=""):
    return (f"<node ID='{uuid.uuid5(uuid.NAMESPACE_URL, 'latentjam/' + props[0])}' type='{ntype}'>"
            f"<properties>{''.join(props[1])}</properties><values>{''.join(values)}</values>"
            f"<messages>{''.join(messages)}</messages><children>{children}</children></node>")


def common(c, interactive=True):
    return [prop("s", "name", cdata(c["name"])), frame(*c["frame"]), color(0.3, 0.6, 0.9),
            prop("b", "visible", 1), prop("b", "interactive", int(interactive)),
            prop("b", "background", 1), prop("b", "outline", 1), prop("i", "outlineStyle", 0),
            prop("b", "grabFocus", 1), prop("i", "pointerPriority", 0), prop("f", "cornerRadius", 1),
            prop("i", "orientation", 0), prop("b", "locked", 0)]


CONVERSION = {"f": "FLOAT", "i": "INTEGER", "s": "STRING"}


def tosc_control(c):
    out = []
    label = None
    if c["kind"] == "button":
        address, constants, value_types = c["send"]
        arguments = [partial("CONSTANT", CONVERSION[t], v) for t, v in constants]
        arguments += [partial("VALUE", "FLOAT", "x")] if value_types == "f" else []
        props = common(c) + [prop("i", "buttonType", 0), prop("b", "press", 1), prop("b", "release", 1),
                             prop("b", "valuePosition", 0)]
        # RISE: the press only, so the release never reaches latentjam.
        out.append(node("BUTTON", (c["name"], props), [value("x", "0"), value("touch", "false")],
                        [osc_message(address, arguments, True, False, "x", "RISE")]))
        label = c["label"]
    elif c["kind"] == "text":
        address = c["send"][0]
        props = common(c) + [prop("s", "text", cdata(c["label"])), prop("i", "textSize", 20)]
        out.append(node("TEXT", (c["name"], props), [value("text", c["label"]), value("touch", "false")],
                        [osc_message(address, [partial("VALUE", "STRING", "text")], True, False, "text")]))
    elif c["kind"] in ("fader", "xy"):
        address, constants, value_types = c["send"]
        lo, hi = c["range"]
        norm = (c["default"] - lo) / (hi - lo)
        arguments = [partial("CONSTANT", CONVERSION[t], v) for t, v in constants]
        if c["kind"] == "fader":
            arguments.append(partial("VALUE", "FLOAT", "x", lo, hi))
            props = common(c) + [prop("b", "bar", 1), prop("b", "cursor", 1), prop("i", "response", 0),
                                 prop("i", "orientation", 1 if c.get("horizontal") else 0)]
            values = [value("x", f"{norm:g}"), value("touch", "false")]
            ntype = "FADER"
        else:
            arguments += [partial("VALUE", "FLOAT", "x", lo, hi), partial("VALUE", "FLOAT", "y", lo, hi)]
            props = common(c) + [prop("b", "lockX", 0), prop("b", "lockY", 0)]
            values = [value("x", f"{norm:g}"), value("y", f"{norm:g}"), value("touch", "false")]
            ntype = "XY"
        # send and receive: latentjam pushes another client's moves back to this address.
        out.append(node(ntype, (c["name"], props), values, [osc_message(address, arguments, True, True)]))
        label = c["label"]
    elif c["kind"] in ("display", "led"):
        props = common(c, interactive=False) + [prop("s", "text", cdata(c["label"])), prop("i", "textSize", 16)]
        conversion = "FLOAT" if c["kind"] == "led" else "STRING"
        out.append(node("LABEL", (c["name"], props), [value("text", c["label"]), value("touch", "false")],
                        [osc_message(c["show"], [partial("VALUE", conversion, "text")], False, True, "text")]))
    if label is not None:  # a caption over the control (TouchOSC buttons and faders have no text)
        caption = dict(c, name=c["name"] + "_caption")
        props = common(caption, interactive=False) + [prop("s", "text", cdata(label)), prop("i", "textSize", 14),
                                                      prop("b", "background", 0)]
        out.append(node("LABEL", (caption["name"], props), [value("text", label), value("touch", "false")], []))
    return "".join(out)


ROOT_SCRIPT = f"""-- latentjam: ask for every control's value and for the pushes from now on,
-- to the port this TouchOSC receives on (its OSC connection's receive port).
function init()
  sendOSC('/jam/subscribe', {REPLY_PORT})
end
"""


def touchosc_xml():
    root = dict(name="latentjam", frame=(0, 0, 1280, 800))
    props = common(root, interactive=False) + [prop("s", "script", cdata(ROOT_SCRIPT))]
    children = "".join(tosc_control(c) for c in CONTROLS)
    return ("<?xml version='1.0' encoding='UTF-8'?>\n<lexml version='3'>"
            + node("GROUP", ("latentjam", props), [value("touch", "false")], [], children)
            + "</lexml>\n")


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(outdir, "latentjam-openstagecontrol.json"), "w") as f:
        json.dump(open_stage_control(), f, indent=2)
        f.write("\n")
    xml = touchosc_xml()
    with open(os.path.join(outdir, "latentjam-touchosc.xml"), "w") as f:
        f.write(xml)
    with open(os.path.join(outdir, "latentjam.tosc"), "wb") as f:
        f.write(zlib.compress(xml.encode("utf-8"), 9))
    print(f"wrote {len(CONTROLS)} controls to {outdir}")


if __name__ == "__main__":
    main()
