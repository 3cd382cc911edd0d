#!/usr/bin/env python3
"""Loads a page in headless Chromium through ChromeDriver (WebDriver over HTTP, standard
library only), waits until the page's #status element says something, prints it, saves a
screenshot and checks the screenshot as the native demos' --check checks their last frame
(enough pixels off the background, in enough colours). Exits non-zero unless the status
starts with the expected text and the screenshot passes.

usage: web-page.py URL SCREENSHOT.png EXPECTED_STATUS_PREFIX [WIDTHxHEIGHT]
"""
import base64
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zlib

# The demos' clear colour (examples/common/demo.rs, BACKGROUND) as bytes.
BACKGROUND = (18, 20, 28)


def png_pixels(data):
    """The (width, height, channels, rows) of an 8-bit, non-interlaced RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[0:4], "big"), int.from_bytes(body[4:8], "big")
            depth, colour, interlace = body[8], body[9], body[12]
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG format"
            channels = 4 if colour == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride, rows, prev = zlib.decompress(idat), width * channels, [], bytearray(width * channels)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b, c = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def check_png(data):
    """The native check, on a screenshot: returns (ok, line)."""
    width, height, channels, rows = png_pixels(data)
    lit, colours = 0, set()
    for row in rows:
        for x in range(0, width * channels, channels):
            p = row[x:x + 3]
            if any(abs(p[i] - BACKGROUND[i]) > 24 for i in range(3)):
                lit += 1
                colours.add((p[0] >> 5, p[1] >> 5, p[2] >> 5))
    share = lit / (width * height)
    line = f"{share * 100:.1f}% of the screenshot's pixels show the scene, {len(colours)} colour buckets"
    return share >= 0.02 and len(colours) >= 8, line


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())["value"]


def main():
    url, shot, expected = sys.argv[1:4]
    width, height = (sys.argv[4] if len(sys.argv) > 4 else "800x600").split("x")
    port = free_port()
    driver = subprocess.Popen([os.environ.get("CHROMEDRIVER", "chromedriver"), f"--port={port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                call(base, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        args = ["--headless=new", "--no-sandbox", "--enable-unsafe-swiftshader",
                "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-dev-shm-usage",
                f"--window-size={width},{height}"]
        session = call(base, "POST", "/session", {"capabilities": {"alwaysMatch": {
            "browserName": "chrome", "goog:chromeOptions": {"args": args}}}})["sessionId"]
        try:
            call(base, "POST", f"/session/{session}/url", {"url": url})
            status = ""
            deadline = time.time() + float(os.environ.get("WEB_PAGE_SECONDS", "240"))
            while time.time() < deadline:
                status = call(base, "POST", f"/session/{session}/execute/sync", {
                    "script": "const s = document.getElementById('status');"
                              "return s ? s.textContent : '';", "args": []})
                if status:
                    break
                time.sleep(0.5)
            png = base64.b64decode(call(base, "GET", f"/session/{session}/screenshot"))
            with open(shot, "wb") as f:
                f.write(png)
            print(f"status: {status or '(none within 240 s)'}")
            print(f"wrote {shot}")
            shot_ok, line = check_png(png)
            print(f"screenshot check: {'ok' if shot_ok else 'failed'}, {line}")
            return 0 if status.startswith(expected) and shot_ok else 1
        finally:
            call(base, "DELETE", f"/session/{session}")
    finally:
        driver.kill()


if __name__ == "__main__":
    sys.exit(main())
