#!/usr/bin/env python3
"""Writes the generated seeds of Fuzz/Corpus (docs/fuzzing.md): shipped playbooks and example
host logs copied as they are, plus known hostile inputs (issue 8). Idempotent; run from the
repository root. Files the fuzzer found (crash reproducers, minimized) are added by hand and
are never touched here: generated names start with 'seed-'."""
import glob, json, os, shutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzz", "Corpus")


def write(target, name, content):
    path = os.path.join(CORPUS, target, "seed-" + name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = content if isinstance(content, bytes) else content.encode()
    with open(path, "wb") as f:
        f.write(data)


def copy(target, pattern, prefix):
    for source in sorted(glob.glob(os.path.join(ROOT, pattern))):
        with open(source, "rb") as f:
            write(target, prefix + os.path.basename(source), f.read())


# ---- playbook: bytes as a playbook file
copy("playbook", "playbooks/*.yaml", "shipped-")
copy("playbook", "Tests/CtfixCoreTests/Resources/valid/*.yaml", "valid-")
copy("playbook", "Tests/CtfixCoreTests/Resources/malformed/*.yaml", "malformed-")
with open(os.path.join(ROOT, "Tests/CtfixCoreTests/Resources/valid/table-full.yaml")) as f:
    TEMPLATE = f.read()


def playbook(**replace):
    """The valid table-full playbook with some values replaced (each key must occur once)."""
    text = TEMPLATE
    for old, new in [("above: ${usage_threshold}", "above: %s"), ("set: max(current * 2, 65536)", "set: %s"),
                     ("cooldown: 30m", "cooldown: %s"), ("default: 90%", "default: %s"), ("within: 15m", "within: %s")]:
        key = old.split(":")[0]
        if key in replace:
            assert text.count(old) == 1, old
            text = text.replace(old, new % replace[key])
    return text


write("playbook", "hostile-deep-unary-minus.yaml", playbook(above="-" * 60000 + "0.5"))
write("playbook", "hostile-deep-parentheses.yaml", playbook(set="(" * 20000 + "current" + ")" * 20000))
write("playbook", "hostile-many-terms.yaml", playbook(set="+".join(["current"] * 5000)))
write("playbook", "hostile-huge-duration.yaml", playbook(cooldown="99999999999999999999d"))
write("playbook", "hostile-huge-within.yaml", playbook(within="9223372036854775807ms"))
write("playbook", "hostile-huge-number.yaml", playbook(set="9" * 400))
write("playbook", "hostile-overflow-expression.yaml", playbook(set="9" * 300 + " * " + "9" * 300))
write("playbook", "hostile-nan-default.yaml", playbook(default="0/0"))
write("playbook", "hostile-nan-bound.yaml", playbook(above="0/0"))
write("playbook", "hostile-deep-flow-nesting.yaml", "version: 1\nname: x\nsummary: " + "[" * 10000 + "]" * 10000 + "\n")
write("playbook", "hostile-deep-block-nesting.yaml", "version: 1\ndetect:\n" + "".join("  " * i + "- all:\n" for i in range(1, 400)))
write("playbook", "hostile-duplicate-keys.yaml", "version: 1\nversion: 1\nname: a\nname: b\n")
write("playbook", "hostile-alias-bomb.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    "%s: &%s [%s]\n" % (chr(98 + i), chr(98 + i), ", ".join(["*" + chr(97 + i)] * 9)) for i in range(8)))
write("playbook", "hostile-crlf-and-nel.yaml", "version: 1\r\nname: x\u0085summary: \u2028y\r\n".encode())
# ---- expression: bytes as an expression, a duration, a --set or alert-label value
EXPRESSIONS = {
    "percent": "90%", "mebibytes": "64MiB", "fraction": "0.9", "parameter": "${usage_threshold}",
    "max-current": "max(current * 2, 65536)", "nested-min": "max(current, min(mem_total / 1024 / 100, 262144))",
    "ram": "ram_mb * 16", "clamp": "clamp(current * 1.5, 65536, 4194304)", "round": "round(ceil(1.5) + floor(-2.5))",
    "underscore": "1_048_576", "duration-mixed": "1h30m", "duration-ms": "500ms", "duration-day": "1d",
    "boolean": "true", "threshold-alert": "0.0001", "negative": "-1", "word": "abc", "nan": "NaN", "inf": "inf",
    "div-zero": "0.5 / 0", "div-zero-expr": "1 / (current - current)",
    "hostile-60000-minus": "-" * 60000 + "0.5", "hostile-deep-parentheses": "(" * 30000 + "1" + ")" * 30000,
    "hostile-deep-calls": "abs(" * 5000 + "1" + ")" * 5000, "hostile-huge-duration": "99999999999999999999d",
    "hostile-huge-ms": "9223372036854775807ms", "hostile-huge-number": "9" * 400, "hostile-overflow": "1e308 * 10",
    "hostile-overflow-units": "99999999999999999999TiB * 99999999999999999999TiB",
    "hostile-long-string": "x" * 10240, "hostile-dots": "1.2.3", "hostile-unicode-digits": "\u0663\u0664%",
    "hostile-fraction-digits": "0." + "1" * 5000, "hostile-many-terms": "+".join(["1"] * 5000),
}
for name, text in EXPRESSIONS.items():
    write("expression", name, text)

# ---- logline: kernel-log text, one line per '\\n'
copy("logline", "examples/hosts/*/var/log/*", "example-")
copy("logline", "Tests/CtfixCoreTests/Resources/logs/*.log", "resource-")
LINES = {
    "rfc3164": "Nov  8 08:54:58 host kernel: [38775494.392631] nf_conntrack: nf_conntrack: table full, dropping packet",
    "rfc3164-precise": "Nov 08 08:54:58.123456 host kernel: nf_conntrack: table full, dropping packet",
    "rfc3339": "2024-11-08T08:54:58.123456+08:00 host kernel: nf_conntrack: table full, dropping packet",
    "rfc3339-short-iso": "2024-11-08T08:54:58+0800 host kernel: nf_conntrack: table full, dropping packet",
    "rfc5424": "<4>1 2024-11-08T08:54:58.123Z host kernel - - - nf_conntrack: table full, dropping packet",
    "rfc5424-sd": "<4>1 2024-11-08T08:54:58.123Z host kernel - - [x@1 a=\"]\\\"\"] \ufeffmsg",
    "kmsg": "4,1234,5678901,-;nf_conntrack: table full, dropping packet\n SUBSYSTEM=net\n DEVICE=+pci:0000:00:1f.6",
    "dmesg": "[12345.678901] nf_conntrack: table full, dropping packet",
    "dmesg-human": "[Thu May 11 12:38:28 2023] nf_conntrack: table full, dropping packet",
    "dmesg-raw": "<4>[  123.456000] nf_conntrack: table full, dropping packet",
    "busybox": "Nov  8 08:54:58 host kern.warn kernel: nf_conntrack: table full, dropping packet",
    "message-only": "kernel: nf_conntrack: table full, dropping packet\nnf_conntrack: table full, dropping packet\r",
    "journal-json": json.dumps({"MESSAGE": "nf_conntrack: table full, dropping packet", "_TRANSPORT": "kernel",
                                "__REALTIME_TIMESTAMP": "1731056098000000", "__MONOTONIC_TIMESTAMP": "1056098000000",
                                "SYSLOG_FACILITY": "0"}),
    "journal-json-bytes": json.dumps({"MESSAGE": [110, 102, 0, 255, 10], "_TRANSPORT": "kernel"}),
    "spoof-user-priority": "<14>Nov  8 08:54:58 host kernel: nf_conntrack: table full, dropping packet",
    "spoof-rfc5424-app": "<14>1 2024-11-08T08:54:58Z host kernel - - - nf_conntrack: table full, dropping packet",
    "spoof-kmsg-user": "12,99,5678901,-;nf_conntrack: table full, dropping packet",
    "spoof-free-text": "Nov  8 08:54:58 host gitlab: comment: 'kernel: nf_conntrack: table full, dropping packet'",
    "spoof-journal-user": json.dumps({"MESSAGE": "nf_conntrack: table full", "_TRANSPORT": "syslog", "SYSLOG_IDENTIFIER": "kernel"}),
    "hostile-huge-uptime": "[99999999999999999999.999999] x\nNov  8 08:54:58 host kernel: [999999999999.9] y",
    "hostile-huge-kmsg": "6,99999999999999999999,99999999999999999999,-;x\n9999,1,1,-;y",
    "hostile-huge-priority": "<999>Nov  8 08:54:58 host kernel: x\n<99999999>1 - - - - - - x",
    "hostile-feb29": "Feb 29 23:59:59 host kernel: leap\n[Sat Feb 29 23:59:59 2023] not a leap year",
    "hostile-bad-dates": "2024-13-45T25:61:61+99:99 host kernel: x\n0000-00-00T00:00:00Z host kernel: y",
    "hostile-journal-deep": "{\"MESSAGE\":" + "[" * 5000 + "]" * 5000 + "}",
    "hostile-journal-numbers": json.dumps({"MESSAGE": [1e300, -1, 256, 3.5], "__REALTIME_TIMESTAMP": 1e400 if False else "1e400"}),
    "hostile-journal-huge-bytes": "{\"MESSAGE\":[1e400,99999999999999999999999]}",
    "hostile-unterminated-sd": "<4>1 - host kernel - - [x a=\"\\",
    "hostile-invalid-utf8": b"Nov  8 08:54:58 h\xff\xfe kernel: \xc3\x28 table full\r",
    "hostile-long-line": "Nov  8 08:54:58 host kernel: " + "A" * 70000,
}
for name, text in LINES.items():
    write("logline", name + ".log", text)

# ---- webhook: a request body
def alert(labels, status="firing", **extra):
    value = {"status": status, "labels": labels, "annotations": {"summary": "conntrack table full"},
             "startsAt": "2024-11-08T08:54:58.123Z", "endsAt": "0001-01-01T00:00:00Z",
             "generatorURL": "http://prometheus:9090/graph?g0.expr=x", "fingerprint": "c4c2b4a5d4e3f2a1"}
    value.update(extra)
    return value


def payload(alerts, status="firing", **extra):
    value = {"receiver": "ctfix", "status": status, "alerts": alerts,
             "groupLabels": {"alertname": "ConntrackTableFull"}, "commonLabels": {"alertname": "ConntrackTableFull"},
             "commonAnnotations": {}, "externalURL": "http://alertmanager:9093", "version": "4",
             "groupKey": "{}:{alertname=\"ConntrackTableFull\"}", "truncatedAlerts": 0}
    value.update(extra)
    return json.dumps(value, indent=2)


LABELS = {"alertname": "ConntrackTableFull", "instance": "app-12.example.com:9100", "job": "node", "threshold": "0.95"}
WEBHOOK = {
    "alertmanager-firing.json": payload([alert(LABELS)]),
    "alertmanager-resolved.json": payload([alert(LABELS, "resolved", endsAt="2024-11-08T09:00:00Z")], "resolved"),
    "alertmanager-two-hosts.json": payload([alert(LABELS), alert(dict(LABELS, instance="db-3.example.com:9100"))]),
    "host-by-address.json": payload([alert(dict(LABELS, instance="192.0.2.12:9100")), alert(dict(LABELS, instance="[2001:db8::12]:9100"))]),
    "host-other-domain.json": payload([alert(dict(LABELS, instance="app-12.other.example")),
                                       alert(dict(LABELS, instance="https://APP-12.evil.tld:443/x"))]),
    "threshold-loosening.json": payload([alert(dict(LABELS, threshold="0.0001")), alert(dict(LABELS, threshold="NaN")),
                                         alert(dict(LABELS, threshold="abc")), alert(dict(LABELS, threshold="-1"))]),
    "threshold-60000-minus.json": payload([alert(dict(LABELS, ratio="-" * 60000 + "0.5"))]),
    "threshold-huge-duration.json": payload([alert(dict(LABELS, window="99999999999999999999d"))]),
    "label-10k.json": payload([alert(dict(LABELS, threshold="x" * 10240))]),
    "trailing-commas.json": '{"alerts":[{"labels":{"alertname":"X",}},]}',
    "duplicate-status.json": '{"status":"firing","status":"resolved","alerts":[]}',
    "duplicate-escaped-key.json": '{"status":"firing","st\\u0061tus":"resolved","alerts":[]}',
    "status-bogus.json": payload([alert(LABELS, "bogus")], "RESOLVED"),
    "status-missing.json": '{"alerts":[{"labels":{"alertname":"X","instance":"app-12"}}]}',
    "deep-nesting.json": '{"status":"firing","alerts":[],"x":' + "[" * 5000 + "]" * 5000 + "}",
    "deep-nesting-17.json": '{"status":"firing","alerts":[],"x":' + "[" * 15 + "]" * 15 + "}",
    "numbers.json": '{"status":"firing","alerts":[],"a":[0,-0,1e400,-1E-400,0.5e+3,123456789012345678901234567890],"truncatedAlerts":99999999999999999999}',
    "leading-zero.json": '{"status":"firing","alerts":[],"n":01}',
    "lone-surrogate.json": '{"status":"firing","alerts":[],"s":"\\ud800"}',
    "surrogate-pair.json": '{"status":"firing","alerts":[{"status":"firing","labels":{"instance":"app-12","e":"\\ud83d\\ude00\\u0000"}}]}',
    "control-characters.json": payload([alert(dict(LABELS, alertname="\u001b[31mX\u001b[0m alert y remediated\n"))]),
    "after-value.json": '{"status":"firing","alerts":[]} x',
    "empty-alerts.json": '{"status":"firing","alerts":' + json.dumps([{}] * 2000) + '}',
    "bom.json": "\ufeff{\"status\":\"firing\",\"alerts\":[]}",
    "not-object.json": "[1, \"firing\", null, true, false]",
    "empty.json": "",
}
for name, text in WEBHOOK.items():
    write("webhook", name, text)
write("webhook", "invalid-utf8.json", b'{"status":"firing","alerts":[],"s":"\xc3\x28\xed\xa0\x80\xf4\x90\x80\x80"}')
print("seeds written under", CORPUS)
