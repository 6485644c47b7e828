#!/usr/bin/env python3
"""om-check.py FILE - a strict check of an OpenMetrics 1.0 text exposition,
for what memtop writes (gauges and counters): every family's TYPE, UNIT
and HELP once each, before its samples; the samples of a family together;
counters' samples NAME_total and not negative; a UNIT the family name ends
in; label names and escapes as the format allows, valid UTF-8, no label
twice, no series twice; "# EOF" last, then nothing.  Exits 1 with the line
that breaks a rule."""
import math
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
SAMPLE = re.compile(r"(%s)(\{.*\})? (\S+)" % NAME)


def fail(n, line, why):
    sys.exit("line %d: %s: %r" % (n, why, line[:200]))


def labels(n, line, text):
    """The label set of {a="x",b="y"} as a tuple, checked."""
    out, i, seen = [], 1, set()
    while text[i] != "}":
        m = re.match(LABEL + '="', text[i:])
        if not m:
            fail(n, line, "bad label name")
        name = m.group(0)[:-2]
        if name in seen:
            fail(n, line, "label twice")
        seen.add(name)
        i += len(m.group(0))
        val = []
        while text[i] != '"':
            if text[i] == "\\":
                if text[i + 1] not in '\\"n':
                    fail(n, line, "bad escape")
                val.append(text[i:i + 2])
                i += 2
            else:
                val.append(text[i])
                i += 1
        i += 1
        out.append((name, "".join(val)))
        if text[i] == ",":
            i += 1
        elif text[i] != "}":
            fail(n, line, "labels not separated")
    if i != len(text) - 1:
        fail(n, line, "text after the labels")
    return tuple(out)


def main():
    raw = open(sys.argv[1], "rb").read()
    try:
        doc = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        sys.exit("not UTF-8: %s" % e)
    if not doc.endswith("# EOF\n"):
        sys.exit("does not end with # EOF and a newline")
    lines = doc[:-1].split("\n")
    fams, done, series = {}, set(), set()
    cur = None
    for n, line in enumerate(lines, 1):
        if line == "# EOF":
            if n != len(lines):
                fail(n, line, "# EOF before the end")
            break
        if line.startswith("#"):
            m = re.fullmatch(r"# (TYPE|UNIT|HELP) (%s)(?: (.*))?" % NAME, line)
            if not m:
                fail(n, line, "not a TYPE, UNIT or HELP line")
            kind, name, arg = m.group(1), m.group(2), m.group(3) or ""
            if name != cur:
                if name in fams:
                    fail(n, line, "family again after others")
                if cur is not None:
                    done.add(cur)
                cur = name
                fams[name] = {"samples": 0}
            f = fams[name]
            if kind in f:
                fail(n, line, kind + " twice")
            if f["samples"]:
                fail(n, line, kind + " after samples")
            f[kind] = arg
            if kind == "TYPE" and arg not in ("gauge", "counter", "info",
                                             "unknown"):
                fail(n, line, "a type memtop does not write")
            if kind == "UNIT" and not name.endswith("_" + arg):
                fail(n, line, "the name does not end in its unit")
            if kind == "HELP" and re.search(r'\\[^\\n]', arg):
                fail(n, line, "bad escape in HELP")
            continue
        m = SAMPLE.fullmatch(line)
        if not m:
            fail(n, line, "not a sample")
        name, lab, value = m.group(1), m.group(2) or "{}", m.group(3)
        if cur is None:
            fail(n, line, "a sample before any family")
        typ = fams[cur].get("TYPE", "unknown")
        want = {"counter": (cur + "_total",), "gauge": (cur,),
                "info": (cur + "_info",), "unknown": (cur,)}[typ]
        if name not in want:
            fail(n, line, "not a sample of family " + cur)
        try:
            v = float(value)
        except ValueError:
            fail(n, line, "bad value")
        if typ == "counter" and (math.isnan(v) or v < 0):
            fail(n, line, "a counter below 0")
        key = (name, labels(n, line, lab))
        if key in series:
            fail(n, line, "the same series twice")
        series.add(key)
        fams[cur]["samples"] += 1
    print("ok: %d families, %d series" % (len(fams), len(series)))


main()
