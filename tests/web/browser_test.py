#!/usr/bin/python3
"""The browser surface in a real browser: headless Chromium, driven through chromedriver's W3C
WebDriver protocol, against a running daemon (issue 10, item 3).

    tests/web/browser_test.py build/latentjam [--screenshots DIR] [--keep-open]

Starts the daemon (a free UDP port for OSC, a free TCP port for the page, no audio, a fresh session
folder, the hashing text encoder), opens http://127.0.0.1:PORT/ at a phone's size (390x844, touch),
and does what a user would: Random, label, prompt, slider, XY pad, delete and undo, relabel, select,
a prompt that fails; checks that what an OSC client sends over UDP shows on the page and that what
the page does reaches an OSC subscriber; restarts the daemon and waits for the page to reconnect;
then takes screenshots at phone and tablet/desktop size (1280x800).

Python's standard library only. Every wait polls the page with a bounded timeout. Exit status 0 on
success, 1 on a failed check or when Chromium or chromedriver is not installed (tools/setup.sh
installs both: a missing browser is a broken setup, not a reason to pass).
"""

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

CHROMEDRIVER = os.environ.get("LATENTJAM_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM = os.environ.get("LATENTJAM_CHROMIUM", "/usr/bin/chromium")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
WAIT_S = 15.0


class CheckFailed(Exception):
    pass


def log(*parts):
    print("[browser_test]", *parts, flush=True)


# ------------------------------------------------------------------------------------------------
# Ports, processes


def free_port(kind):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what, timeout=WAIT_S, interval=0.05, quiet=False, shows=None):
    """Polls predicate until it returns something truthy (logged with the time it took); fails
    with `what` after timeout, and what `shows()` returns then (what the page shows instead)."""
    started = time.monotonic()
    deadline = started + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                if quiet is False:
                    log(f"ok ({time.monotonic() - started:.2f} s): {what}")
                return value
        except CheckFailed:
            raise
        except Exception as error:  # the page may be mid-render; try again
            last_error = error
        time.sleep(interval)
    instead = ""
    if shows:
        try:
            instead = f"; it shows {shows()!r}"
        except Exception as error:
            instead = f"; {error}"
    raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}{instead}" +
                      (f" (last error: {last_error})" if last_error else ""))


class Daemon:
    def __init__(self, binary, work, osc_port, web_port):
        self.binary = binary
        self.work = work
        self.osc_port = osc_port
        self.web_port = web_port
        self.process = None
        self.log_path = os.path.join(work, "daemon.log")

    def start(self):
        args = [self.binary, "--osc-port", str(self.osc_port), "--web-port", str(self.web_port),
                "--audio", "none", "--session-dir", os.path.join(self.work, "session"),
                "--text-encoder", "hashing"]
        log("starting", " ".join(args))
        self.log_file = open(self.log_path, "ab")
        self.process = subprocess.Popen(args, stdout=self.log_file, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)

        def page_served():
            if self.process.poll() is not None:
                raise CheckFailed(f"the daemon exited with {self.process.returncode}; log:\n" +
                                  self.log_tail())
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/", timeout=2) as r:
                return r.status == 200 and b"app.js" in r.read()

        wait_for(page_served, "the daemon serves the page", timeout=30, interval=0.1)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process:
            self.log_file.close()
        self.process = None

    def log_tail(self, lines=30):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""


# ------------------------------------------------------------------------------------------------
# OSC over UDP (a real client beside the browser)


def osc_pad(data):
    return data + b"\0" * (4 - len(data) % 4)


def osc_message(address, *args):
    types = ","
    payload = b""
    for arg in args:
        if isinstance(arg, float):
            types += "f"
            payload += struct.pack(">f", arg)
        elif isinstance(arg, int):
            types += "i"
            payload += struct.pack(">i", arg)
        else:
            types += "s"
            payload += osc_pad(str(arg).encode())
    return osc_pad(address.encode()) + osc_pad(types.encode()) + payload


def osc_parse(packet):
    def string(at):
        end = packet.index(b"\0", at)
        return packet[at:end].decode("utf-8", "replace"), (end + 4) & ~3

    address, at = string(0)
    if not packet[at:at + 1] == b",":
        return address, []
    types, at = string(at)
    args = []
    for t in types[1:]:
        if t == "i":
            args.append(struct.unpack(">i", packet[at:at + 4])[0])
            at += 4
        elif t == "f":
            args.append(struct.unpack(">f", packet[at:at + 4])[0])
            at += 4
        elif t == "s":
            value, at = string(at)
            args.append(value)
        else:
            break
    return address, args


class OscClient:
    """A UDP client that subscribes and keeps everything it receives."""

    def __init__(self, port):
        self.port = port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.received = []
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self):
        while self.running:
            try:
                packet, _ = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            except OSError:
                return
            if packet.startswith(b"#bundle"):
                continue
            try:
                message = osc_parse(packet)
            except (ValueError, struct.error):
                continue
            with self.lock:
                self.received.append(message)

    def send(self, address, *args):
        self.sock.sendto(osc_message(address, *args), ("127.0.0.1", self.port))

    def messages(self, address=None):
        with self.lock:
            return [m for m in self.received if address is None or m[0] == address]

    def close(self):
        self.running = False
        self.sock.close()


# ------------------------------------------------------------------------------------------------
# WebDriver (W3C protocol over HTTP)


class WebDriver:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = None

    def call(self, method, path, body=None, timeout=60):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise RuntimeError(f"WebDriver {method} {path}: {error.code} {detail[:400]}") from None

    def s(self, method, path, body=None):
        return self.call(method, f"/session/{self.session}{path}", body)

    def start(self, width, height, touch):
        # The screen's size comes from Chromium's device emulation (a window size would not do:
        # headless windows are at least 500 wide and lose some height to the window's frame);
        # touch=True is a phone: touch events, a mobile viewport and user agent.
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--force-device-scale-factor=1"]
        metrics = {"width": width, "height": height, "pixelRatio": 1.0, "touch": touch, "mobile": touch}
        emulation = {"deviceMetrics": metrics}
        if touch:
            emulation["userAgent"] = ("Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) "
                                      "Chrome/120.0 Mobile Safari/537.36")
        options = {"binary": CHROMIUM, "args": args, "mobileEmulation": emulation}
        self.size = (width, height, touch)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": options,
            "goog:loggingPrefs": {"browser": "ALL"}}}}
        value = self.call("POST", "/session", caps)
        self.session = value["sessionId"]

    def quit(self):
        if self.session:
            try:
                self.call("DELETE", f"/session/{self.session}", timeout=20)
            except Exception:
                pass
            self.session = None

    def get(self, url):
        self.s("POST", "/url", {"url": url})

    def find_all(self, css):
        return [e[ELEMENT] for e in self.s("POST", "/elements", {"using": "css selector", "value": css})]

    def find(self, css):
        found = self.find_all(css)
        if not found:
            raise CheckFailed(f"no element matches {css}")
        return found[0]

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def on_element(self, css, do):
        """Finds the element, scrolls it to the middle of the screen and does `do` to it; found
        again if the page replaced it in between (a reply re-rendering a list)."""
        for attempt in range(3):
            element = self.find(css)
            try:
                self.js("arguments[0].scrollIntoView({block: 'center'})", {ELEMENT: element})
                return do(element)
            except RuntimeError as error:
                if "stale element" not in str(error) or attempt == 2:
                    raise

    def click(self, css):
        self.on_element(css, lambda e: self.s("POST", f"/element/{e}/click", {}))

    def type(self, css, text, clear=True):
        def typing(element):
            if clear:
                self.s("POST", f"/element/{element}/clear", {})
            if text:
                self.s("POST", f"/element/{element}/value", {"text": text})
        self.on_element(css, typing)

    def text(self, css):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css)

    def attr(self, css, name):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
                       css, name)

    def prop(self, css, name):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e[arguments[1]] : null;", css, name)

    def drag(self, css, points, pointer="touch"):
        """A finger (or the mouse) put down on the element at the first point (offsets from its
        centre, CSS pixels), moved through the others and lifted: a tap with one point."""
        element = self.find(css)
        self.js("arguments[0].scrollIntoView({block: 'center'})", {ELEMENT: element})
        origin = {ELEMENT: element}
        actions = [{"type": "pointerMove", "duration": 0, "origin": origin, "x": round(points[0][0]),
                    "y": round(points[0][1])}, {"type": "pointerDown", "button": 0}]
        for x, y in points[1:]:
            actions.append({"type": "pointerMove", "duration": 60, "origin": origin, "x": round(x), "y": round(y)})
        actions.append({"type": "pointerUp", "button": 0})
        self.s("POST", "/actions", {"actions": [{"type": "pointer", "id": pointer,
                                                  "parameters": {"pointerType": pointer}, "actions": actions}]})
        self.s("DELETE", "/actions")

    def cdp(self, command, params):
        """A Chrome DevTools Protocol command, through chromedriver."""
        return self.s("POST", "/goog/cdp/execute", {"cmd": command, "params": params})

    def resize(self, width, height, mobile):
        """Another screen for the same page (a tablet, a desktop), without reloading it."""
        self.size = (width, height, mobile)
        self.cdp("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
        # The page redraws its canvases at the new size shortly after.
        wait_for(lambda: self.js("""return innerWidth === arguments[0] && [...document.querySelectorAll('canvas')]
            .filter(c => c.clientWidth && c.id).every(c => c.width === Math.round(c.clientWidth))""", width),
                 f"the page laid out and drawn at {width}x{height}", quiet=True)

    def screenshot(self, path, full_page=False):
        """The screen as the user sees it; full_page: the whole page on one tall screen of the
        same width (the fixed status line at its foot, where a phone shows it)."""
        width, height, touch = self.size
        if full_page:
            tall = self.js("return Math.ceil(document.documentElement.scrollHeight)")
            self.cdp("Emulation.setDeviceMetricsOverride",
                     {"width": width, "height": max(height, tall), "deviceScaleFactor": 1, "mobile": touch})
        try:
            data = self.s("GET", "/screenshot")
        finally:
            if full_page:
                self.cdp("Emulation.setDeviceMetricsOverride",
                         {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": touch})
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        log("screenshot", path, os.path.getsize(path), "bytes")

    def browser_log(self):
        try:
            return self.s("POST", "/se/log", {"type": "browser"}) or []
        except Exception:
            return []


# ------------------------------------------------------------------------------------------------
# The user's session


def status(driver):
    return driver.text("#status") or ""


def wait_status(driver, needle, kind, what):
    def seen():
        text = status(driver)
        return needle in text and (kind is None or driver.attr("#status", "data-kind") == kind) and text
    return wait_for(seen, f"{what}: the status line says {needle!r} ({kind})",
                    shows=lambda: (driver.attr("#status", "data-kind"), status(driver)))


def log_text(driver):
    return driver.js("return [...document.querySelectorAll('#log li')].map(li => li.textContent).join('\\n')")


def example_ids(driver):
    return driver.js("return [...document.querySelectorAll('#examples li')].map(li => "
                     "[Number(li.dataset.id), (li.querySelector('.text') || {}).textContent]);")


def canvas_ink(driver, css):
    """How many pixels of a canvas are drawn (not transparent)."""
    return driver.js("""
        const c = document.querySelector(arguments[0]);
        if (!c || !c.width || !c.height) return 0;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
        return n;""", css)


SAMPLES = os.environ.get("LATENTJAM_SAMPLES", "/usr/share/sonic-pi/samples")


def training_folder(daemon):
    """Four real snares (Debian's sonic-pi-samples) for latentjam-train, or why not."""
    trainer = os.path.join(os.path.dirname(daemon.binary), "latentjam-train")
    if not os.environ.get("LATENTJAM_TRAIN") and not os.access(trainer, os.X_OK):
        return None, f"{trainer} is not built"
    names = ["sn_dolf.flac", "sn_dub.flac", "sn_generic.flac", "sn_zome.flac"]
    if not all(os.path.exists(os.path.join(SAMPLES, n)) for n in names):
        return None, f"the snares of sonic-pi-samples are not in {SAMPLES} (tools/fetch_drums.sh)"
    folder = os.path.join(daemon.work, "snares")
    os.makedirs(folder, exist_ok=True)
    for n in names:
        shutil.copy(os.path.join(SAMPLES, n), folder)
    return folder, None


def subscribe(osc):
    before = len(osc.messages("/done"))
    osc.send("/jam/subscribe")
    wait_for(lambda: [m for m in osc.messages("/done")[before:] if m[1][:1] == ["/jam/subscribe"]],
             "the UDP client's subscription")


def check(condition, message):
    if not condition:
        raise CheckFailed(message)
    log("ok:", message)


def user_session(driver, daemon, osc, url, shots):
    """The phone: everything a user does, checked as the page shows it."""
    driver.get(url)
    wait_for(lambda: driver.attr("#conn", "data-state") == "open", "the page to connect its WebSocket")
    # The state dump filled the widgets, then the page asked for the voice's sound.
    wait_for(lambda: driver.attr("#waveform", "data-state") == "empty", "the empty waveform of a fresh voice")
    check(driver.js("return !document.querySelector('#waveform-hint').hidden"), "the hint to press Random shows")
    check(driver.prop("#tempo", "value") not in ("", None), f"the tempo shows {driver.prop('#tempo', 'value')}")
    check(driver.attr("#voice-kick", "aria-selected") == "true", "the kick tab is focused")
    width = driver.js("return [innerWidth, document.documentElement.scrollWidth]")
    check(width == [390, 390], f"the page fits the phone's width, nothing wider (viewport, content: {width})")

    # Random: a new sound, its waveform drawn.
    first = driver.attr("#waveform", "data-sound-id")
    driver.click("#random")
    wait_status(driver, "/done /jam/random", "ok", "Random")
    sound = wait_for(lambda: (lambda s: s if s and s != first else None)(driver.attr("#waveform", "data-sound-id")),
                     "the waveform of the new sound")
    check(int(driver.attr("#waveform", "data-points")) >= 64, f"waveform {sound} has {driver.attr('#waveform', 'data-points')} points")
    check(canvas_ink(driver, "#waveform") > 200, "the waveform canvas is drawn")

    # Training: started from the form and cancelled with its button.
    folder, why = training_folder(daemon)
    if folder:
        driver.type("#train-folder", folder)
        driver.type("#train-steps", "200")
        driver.click("#train-start")
        wait_status(driver, "/done /jam/train kick", "ok", "a training started from the page")
        driver.click("#train-cancel")
        wait_for(lambda: "kick: failed: cancelled" in (driver.text("#train-stage") or ""),
                 "the cancelled training shown", shows=lambda: driver.text("#train-stage"))
        wait_status(driver, "training of kick failed: cancelled", "fail", "the cancel in the status line")
    else:
        log("training not checked:", why)

    # A trigger pad reaches the daemon.
    driver.click("#pad-kick")
    wait_for(lambda: "/done /jam/trigger kick" in log_text(driver), "the trigger's /done in the message log")

    # Label it; the example list shows it with a thumbnail.
    driver.type("#label-input", "boomy deep")
    driver.click("#label-send")
    wait_status(driver, "/done /jam/label", "ok", "the label")
    rows = wait_for(lambda: [r for r in example_ids(driver) if r[1] == "boomy deep"], "the example 'boomy deep' in the list")
    boomy = rows[0][0]
    check(driver.prop("#label-input", "value") == "", "the label box is emptied after sending")
    wait_for(lambda: int(driver.attr(f'#examples li[data-id="{boomy}"] canvas', "data-points") or 0) > 0,
             "the example's waveform thumbnail")
    wait_for(lambda: (driver.text("#label-current") or "") == "boomy deep", "the current label 'boomy deep'")

    # A second, different sound and label; both lie on the XY pad's map.
    driver.click("#random")
    wait_for(lambda: driver.attr("#waveform", "data-sound-id") not in (sound, None), "the second sound's waveform")
    driver.type("#label-input", "tight clicky")
    driver.click("#label-send")
    wait_for(lambda: any(r[1] == "tight clicky" for r in example_ids(driver)), "the example 'tight clicky'")
    wait_for(lambda: driver.attr("#xy", "data-map-count") == "2", "both examples on the XY pad's map")
    check(driver.text("#examples-count") == "2", "the list counts 2 examples")
    # A suggested word, tapped, goes into the label box.
    chips = wait_for(lambda: driver.find_all("#words .chip"), "word suggestions")
    word = driver.text("#words .chip")
    driver.click("#words .chip")
    check(driver.prop("#label-input", "value") == word, f"the tapped suggestion {word!r} is in the label box")
    driver.type("#label-input", "")
    log(f"{len(chips)} word suggestions shown")

    # A prompt: the /done shows in the status line.
    driver.type("#prompt-input", "boomy")
    driver.click("#prompt-send")
    wait_status(driver, "/done /jam/prompt", "ok", "the prompt")

    # A slider moved with a finger reaches the daemon, and an OSC subscriber sees the move.
    driver.drag("#slider-4", [(-60, 0), (60, 0)])
    wait_for(lambda: "/done /jam/slider/4" in log_text(driver), "the /done of slider 4")
    wait_for(lambda: [m for m in osc.messages("/jam/slider/4") if m[1] and m[1][0] > 0.55],
             "the OSC subscriber to get /jam/slider/4 above 0.5 from the page")

    # The XY pad with a finger.
    driver.drag("#xy", [(-40, 30), (0, 0), (50, -40)])
    wait_for(lambda: float(driver.attr("#xy", "data-x")) > 0.55 and float(driver.attr("#xy", "data-y")) > 0.55,
             "the XY pad to follow the finger", shows=lambda: (driver.attr("#xy", "data-x"), driver.attr("#xy", "data-y")))
    wait_for(lambda: [m for m in osc.messages("/jam/xy") if len(m[1]) == 2 and m[1][0] > 0.55 and m[1][1] > 0.55],
             "the OSC subscriber to get the page's /jam/xy")

    # Delete an example, then undo.
    driver.click(f'#examples li[data-id="{boomy}"] .delete')
    wait_for(lambda: all(r[0] != boomy for r in example_ids(driver)), "the deleted example to leave the list")
    check(driver.text("#examples-count") == "1", "one example left after the delete")
    driver.click("#undo")
    wait_for(lambda: any(r[0] == boomy for r in example_ids(driver)), "undo to bring the example back")
    wait_status(driver, "/done /jam/undo", "ok", "undo")

    # Relabel it inline.
    driver.click(f'#examples li[data-id="{boomy}"] .relabel')
    driver.type(f'#examples li[data-id="{boomy}"] .relabel-input', "boomy warm")
    driver.click(f'#examples li[data-id="{boomy}"] .relabel-save')
    wait_for(lambda: any(r[0] == boomy and r[1] == "boomy warm" for r in example_ids(driver)), "the relabelled example")
    # Text that is not ASCII goes out and comes back as UTF-8 (osc-js alone would send one byte per
    # character), over the WebSocket and over UDP alike.
    driver.click(f'#examples li[data-id="{boomy}"] .relabel')
    driver.type(f'#examples li[data-id="{boomy}"] .relabel-input', "très boomy ü")
    driver.click(f'#examples li[data-id="{boomy}"] .relabel-save')
    wait_for(lambda: any(r[0] == boomy and r[1] == "très boomy ü" for r in example_ids(driver)),
             "the example relabelled 'très boomy ü'")
    before = len(osc.messages("/jam/examples.reply"))
    osc.send("/jam/examples", "kick")
    reply = wait_for(lambda: osc.messages("/jam/examples.reply")[before:], "the examples over UDP")[0]
    check("très boomy ü" in reply[1], f"the UDP client reads the same label: {reply[1]}")
    driver.click(f'#examples li[data-id="{boomy}"] .relabel')
    driver.type(f'#examples li[data-id="{boomy}"] .relabel-input', "boomy warm")
    driver.click(f'#examples li[data-id="{boomy}"] .relabel-save')
    wait_for(lambda: any(r[0] == boomy and r[1] == "boomy warm" for r in example_ids(driver)), "the label back")

    # Select it: the current sound becomes that example's.
    before = driver.attr("#waveform", "data-sound-id")
    driver.click(f'#examples li[data-id="{boomy}"] .select')
    wait_status(driver, "/done /jam/example/select", "ok", "selecting an example")
    wait_for(lambda: driver.attr("#waveform", "data-sound-id") != before, "the selected example's waveform")

    # A prompt slot: store, recall.
    driver.type("#prompt-input", "tight")
    driver.click("#slot-store")
    wait_status(driver, "/done /jam/slot/store", "ok", "storing a slot")
    driver.click("#slot-recall")
    wait_status(driver, "/done /jam/slot/recall", "ok", "recalling a slot")

    # Save the session and load it back.
    driver.type("#session-name", "gig")
    driver.click("#session-save")
    wait_status(driver, "/done /jam/save gig", "ok", "saving the session")
    driver.click(f'#examples li[data-id="{boomy}"] .delete')
    wait_for(lambda: all(r[0] != boomy for r in example_ids(driver)), "the example deleted after saving")
    driver.click("#session-load")
    wait_status(driver, "/done /jam/load gig", "ok", "loading the saved session")
    wait_for(lambda: any(r[0] == boomy for r in example_ids(driver)) and len(example_ids(driver)) == 2,
             "the saved session's two examples back", shows=lambda: example_ids(driver))

    # A variation toward a word.
    driver.type("#vary-input", "clicky")
    driver.click("#vary-send")
    wait_status(driver, "/done /jam/vary", "ok", "a variation")

    # An error is shown: a prompt on a voice with no examples.
    driver.click("#voice-snare")
    wait_for(lambda: driver.attr("#voice-snare", "aria-selected") == "true", "the snare tab")
    wait_for(lambda: driver.text("#examples-count") == "0", "snare's empty example list")
    driver.type("#prompt-input", "boomy")
    driver.click("#prompt-send")
    reason = wait_status(driver, "/fail /jam/prompt", "fail", "a prompt on a voice without examples")
    log("the page shows:", reason)

    # A snare model trained on four real snares while the rest goes on (at idle priority).
    if folder:
        driver.type("#train-steps", "30")
        driver.click("#train-start")
        wait_status(driver, "/done /jam/train snare", "ok", "the snare's training started")

    # What a UDP client changes shows on the page.
    osc.send("/jam/focus", "kick")
    wait_for(lambda: driver.attr("#voice-kick", "aria-selected") == "true", "the kick tab focused over UDP")
    wait_for(lambda: driver.text("#examples-count") == "2", "kick's two examples after the focus change")
    osc.send("/jam/slider/3", 0.8)
    wait_for(lambda: abs(float(driver.prop("#slider-3", "value")) - 0.8) < 0.01,
             "slider 3 to move to 0.8 after /jam/slider/3 f 0.8 over UDP")
    osc.send("/jam/tempo", 133.0)
    wait_for(lambda: driver.prop("#tempo", "value") == "133", "the tempo 133 sent over UDP")
    # Replies to other clients are copied to the page: a part of the list another client asks for
    # must not replace the page's whole list.
    osc.send("/jam/examples", "kick", 1, 1)
    wait_for(lambda: [l for l in log_text(driver).split("\n") if l.startswith("← /jam/examples.reply kick")
                      and "tight clicky" not in l], "the copy of the UDP client's one-row /jam/examples.reply")
    wait_for(lambda: "→ /jam/examples kick" in log_text(driver).split("\n")[0:8],
             "the page to ask for the whole list again")
    wait_for(lambda: len(example_ids(driver)) == 2, "the page's list to stay whole")
    osc.send("/jam/label", "crunchy", "kick")
    wait_for(lambda: any(r[1] == "crunchy" for r in example_ids(driver)), "an example labelled over UDP in the list")
    osc.send("/jam/play")
    wait_for(lambda: driver.js("return document.querySelector('#play').classList.contains('on')"),
             "the play button lit by /jam/play over UDP")
    wait_for(lambda: (driver.text("#beat") or "").count(".") == 1 and driver.text("#beat") != "–.–", "the bar.beat display")

    # Tempo typed on the page reaches the OSC subscriber.
    driver.type("#tempo", "141")
    driver.js("document.querySelector('#tempo').dispatchEvent(new Event('change'))")
    wait_for(lambda: [m for m in osc.messages("/jam/tempo") if m[1] and abs(m[1][0] - 141) < 0.01],
             "the OSC subscriber to get the page's tempo 141")

    if folder:
        wait_for(lambda: "snare: done" in (driver.text("#train-stage") or ""),
                 "the snare's training to end", timeout=240, interval=0.5, shows=lambda: driver.text("#train-stage"))
        points = int(driver.attr("#train-loss", "data-points") or 0)
        check(points >= 3, f"the loss curve has {points} points")
        check(canvas_ink(driver, "#train-loss") > 100, "the loss curve is drawn")
        check(driver.prop("#train-progress", "value") == 30, "the progress bar is full at 30/30")

    driver.js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    driver.screenshot(os.path.join(shots, "browser-phone.png"))
    driver.screenshot(os.path.join(shots, "browser-phone-full.png"), full_page=True)
    # The same page on a tablet held upright (two columns) and on a desktop (three).
    for name, width, height, mobile, columns in (("tablet", 820, 1180, True, 2), ("desktop", 1280, 800, False, 3)):
        driver.resize(width, height, mobile)
        found = driver.js("return getComputedStyle(document.querySelector('#panels')).gridTemplateColumns.split(' ').length")
        check(found == columns, f"{columns} columns at {width}x{height} (got {found})")
        check(driver.js("return document.documentElement.scrollWidth") == width, f"nothing wider than {width}")
        driver.screenshot(os.path.join(shots, f"browser-{name}.png"))
    driver.resize(390, 844, True)

    # Sixteen throwaway subscribers push the page out (at most 16 subscriptions, the least recently
    # heard is dropped): the page shows the /jam/warning and subscribes again by itself.
    crowd = [OscClient(daemon.osc_port) for _ in range(16)]
    try:
        for client in crowd:
            client.send("/jam/subscribe")
        wait_status(driver, "unsubscribed", "warn", "the warning that the page was unsubscribed")
        subscribe(osc)  # the test's own UDP client was pushed out too
        wait_for(lambda: "→ /jam/subscribe " in log_text(driver).split("\n")[0:40], "the page to subscribe again")
        osc.send("/jam/tempo", 128.0)
        wait_for(lambda: driver.prop("#tempo", "value") == "128", "a change over UDP shown after subscribing again")
    finally:
        for client in crowd:
            client.close()

    # The daemon restarts: the page reconnects by itself and shows the session again.
    daemon.stop()
    wait_for(lambda: driver.attr("#conn", "data-state") != "open", "the page to notice the daemon has gone")
    check(driver.attr("#status", "data-kind") == "fail", f"the drop is shown: {status(driver)!r}")
    daemon.start()
    subscribe(osc)
    wait_for(lambda: driver.attr("#conn", "data-state") == "open", "the page to reconnect", timeout=20)
    wait_for(lambda: driver.text("#examples-count") == "3", "the kick's examples after the reconnect")
    # The failed reconnection attempts while the daemon was down are expected console errors.
    dropped = [e for e in driver.browser_log() if "WebSocket" not in e.get("message", "")]
    check(not [e for e in dropped if e.get("level") == "SEVERE"], f"no errors in the browser's console {dropped[:3]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", help="the daemon, build/latentjam")
    parser.add_argument("--screenshots", help="folder for the screenshots (default: a temporary folder)")
    parser.add_argument("--keep-open", action="store_true", help="leave the daemon running at the end (debugging)")
    options = parser.parse_args()

    for program in (CHROMEDRIVER, CHROMIUM):
        if not os.access(program, os.X_OK):
            log(f"FAIL: {program} is not installed (tools/setup.sh installs chromium and chromium-driver)")
            return 1
    binary = os.path.abspath(options.binary)
    work = tempfile.mkdtemp(prefix="latentjam-browser-")
    shots_dir = os.path.abspath(options.screenshots) if options.screenshots else os.path.join(work, "screenshots")
    os.makedirs(shots_dir, exist_ok=True)

    daemon = Daemon(binary, work, free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_STREAM))
    driver_port = free_port(socket.SOCK_STREAM)
    url = f"http://127.0.0.1:{daemon.web_port}/"
    chromedriver = None
    driver = WebDriver(driver_port)
    osc = None
    ok = False
    try:
        daemon.start()
        osc = OscClient(daemon.osc_port)
        subscribe(osc)

        chromedriver = subprocess.Popen([CHROMEDRIVER, f"--port={driver_port}"], stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(work, "chromedriver.log"), "wb"))
        wait_for(lambda: driver.call("GET", "/status", timeout=2).get("ready"), "chromedriver", timeout=20)

        # A phone: 390x844 with touch.
        driver.start(390, 844, touch=True)
        user_session(driver, daemon, osc, url, shots_dir)
        errors = [e for e in driver.browser_log() if e.get("level") == "SEVERE"]
        check(not errors, f"no errors in the browser's console {errors[:3]}")
        driver.quit()

        # A tablet or desktop: 1280x800, the three-column layout.
        driver.start(1280, 800, touch=False)
        driver.get(url)
        wait_for(lambda: driver.attr("#conn", "data-state") == "open", "the page to connect at 1280x800")
        wait_for(lambda: driver.text("#examples-count") == "3", "the examples at 1280x800")
        wait_for(lambda: int(driver.attr("#examples li canvas", "data-points") or 0) > 0, "thumbnails at 1280x800")
        columns = driver.js("return getComputedStyle(document.querySelector('#panels')).gridTemplateColumns.split(' ').length")
        check(columns == 3, f"three columns at 1280x800 (got {columns})")
        # The restarted daemon has no current kick yet: a sound gives the map its centre.
        driver.click("#random")
        wait_status(driver, "/done /jam/random", "ok", "Random at 1280x800")
        wait_for(lambda: driver.attr("#xy", "data-map-count") == "3", "the map at 1280x800")
        # A tap near an example on the XY pad moves there.
        box = driver.js("const r = document.querySelector('#xy').getBoundingClientRect(); return [r.width, r.height];")
        # The example farthest from where the pad is (the first Random of a fresh daemon is the
        # same sound as before the restart, example 1's, at the middle).
        at = (float(driver.attr("#xy", "data-x")), float(driver.attr("#xy", "data-y")))
        example, x, y = max(json.loads(driver.attr("#xy", "data-map")),
                            key=lambda p: (p[1] - at[0]) ** 2 + (p[2] - at[1]) ** 2)
        check(abs(x - at[0]) + abs(y - at[1]) > 0.05, f"example {example} at ({x}, {y}) lies away from the pad's {at}")
        nudge = lambda v: -6 if v > 0.5 else 6  # a finger's width off, toward the middle
        offset = ((x - 0.5) * box[0] + nudge(x), (0.5 - y) * box[1] - nudge(y))
        driver.drag("#xy", [offset], pointer="mouse")
        wait_for(lambda: abs(float(driver.attr("#xy", "data-x")) - x) < 0.002 and
                 abs(float(driver.attr("#xy", "data-y")) - y) < 0.002,
                 f"a tap beside example {example} to move the pad onto it ({x}, {y})")
        wait_for(lambda: [m for m in osc.messages("/jam/xy") if len(m[1]) == 2 and abs(m[1][0] - x) < 0.002
                          and abs(m[1][1] - y) < 0.002], "the OSC subscriber to get the example's position")
        errors = [e for e in driver.browser_log() if e.get("level") == "SEVERE"]
        check(not errors, f"no errors in the browser's console at 1280x800 {errors[:3]}")
        ok = True
    except Exception as failure:  # a failed check, or WebDriver's or the daemon's error
        log("FAILED:", failure)
        try:
            log("status line:", status(driver))
            log("message log:\n" + log_text(driver)[:3000])
            driver.screenshot(os.path.join(shots_dir, "failure.png"), full_page=False)
        except Exception:
            pass
        log("daemon log:\n" + daemon.log_tail())
    finally:
        driver.quit()
        if chromedriver:
            chromedriver.terminate()
            try:
                chromedriver.wait(timeout=10)
            except subprocess.TimeoutExpired:
                chromedriver.kill()
        if osc:
            osc.close()
        if options.keep_open:
            log(f"the daemon (pid {daemon.process.pid}) still serves {url}; its files are in {work}")
        else:
            daemon.stop()
        log("screenshots in", shots_dir)
        if ok and not options.keep_open:  # the logs and the session of a failed run stay for a look
            for entry in os.listdir(work):
                path = os.path.join(work, entry)
                if path != shots_dir:
                    shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
            if options.screenshots:
                os.rmdir(work)
    log("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
