#!/usr/bin/env python3
"""Check the signed samples with implementations that are not ours.

Re-verifies every DKIM signature (dkimpy), ARC chain (dkimpy's arc_verify) and SPF result (pyspf)
that a file in samples/expected/ describes, answering every DNS query from samples/dns.zone, and
compares the outcome with the expected facts. Nothing here is needed by the tests; it is for a
developer who regenerated the samples (`cargo run --example sign_samples`) and wants a second
opinion. Run it from a throwaway virtualenv, never inside the project:

    python3 -m venv /tmp/dkimpy-venv
    /tmp/dkimpy-venv/bin/pip install dkimpy dnspython pynacl pyspf
    /tmp/dkimpy-venv/bin/python samples/check_with_dkimpy.py [NAME...]

How each fact is judged, per DKIM signature (top to bottom in the message):
  header_signature  dkimpy's verify with the body-hash step skipped: valid | invalid, or
                    unchecked when no usable key could be had (missing, revoked)
  body_hash         dkimpy's body canonicalization (l= honoured), SHA-256, compared with bh=;
                    unchecked when the sample has no body (a headers-only paste)
  result            dkimpy's full verify, as of the arrival time (the topmost Received date), so
                    that an x= that has passed since is not held against the message
Exit status: 0 when everything agrees, 1 otherwise.
"""

import base64
import email.utils
import hashlib
import json
import re
import sys
import time
from pathlib import Path
from unittest import mock

import dkim
import dns.zone
import spf

SAMPLES = Path(__file__).resolve().parent
NOW_2026 = 1767225600  # 2026-01-01T00:00:00Z, the tests' fixed "now"


def load_zone():
    zone = dns.zone.from_text(
        (SAMPLES / "dns.zone").read_text(), origin=".", relativize=False, check_origin=False
    )
    txt = {}
    for name, node in zone.nodes.items():
        for rdataset in node.rdatasets:
            if rdataset.rdtype == dns.rdatatype.TXT:
                txt[str(name).lower()] = [b"".join(rd.strings) for rd in rdataset]
    return txt


TXT = load_zone()


def dnsfunc(name, timeout=5):
    """dkimpy's DNS hook: the TXT record of `name`, or None."""
    if isinstance(name, bytes):
        name = name.decode()
    records = TXT.get(name.lower().rstrip(".") + ".")
    return records[0] if records else None


def spf_lookup(name, qtype, strict=True, timeout=30):
    """pyspf's DNS hook: TXT only (the zone's SPF records use ip4/ip6 and include)."""
    if qtype not in ("TXT", "SPF"):
        return []
    return [((name, qtype), [r]) for r in TXT.get(name.lower().rstrip(".") + ".", [])]


spf.DNSLookup = spf_lookup


def read_sample(path, preamble_lines):
    text = path.read_text()
    lines = text.split("\n")[preamble_lines:]
    return "\r\n".join(lines).encode()


def unfolded_headers(msg):
    head = msg.split(b"\r\n\r\n", 1)[0].decode()
    return re.findall(r"^([^\s:]+):([^\r\n]*(?:\r\n[ \t][^\r\n]*)*)", head, flags=re.M)


def arrival_time(msg):
    for name, value in unfolded_headers(msg):
        if name.lower() == "received":
            date = re.sub(r"\s+", " ", value.rsplit(";", 1)[-1]).strip()
            parsed = email.utils.parsedate_tz(date)
            if parsed:
                return email.utils.mktime_tz(parsed)
    return None


class _NoExtraFrom(list):
    """An h= list that refuses dkimpy's extra "from" (see rfc_strict below)."""

    def append(self, item):
        if item != b"from":
            super().append(item)


def header_only_verify(d, idx, rfc_strict):
    """dkimpy's verify without its body-hash step: does the header signature hold?

    dkimpy adds one more "from" to every h= on purpose (its bug 644046), so that a second From
    header added in transit breaks the signature. RFC 6376 does not: the signature covers the
    bottom-most From only. With rfc_strict, that addition is switched off.
    """
    original_process = dkim.DKIM.verify_sig_process
    original_prep = dkim.DKIM.verify_headerprep

    def without_bh(self, sig, *args):
        sig = dict(sig)
        sig.pop(b"bh", None)
        return original_process(self, sig, *args)

    def strict_prep(self, idx=0):
        prep = original_prep(self, idx)
        if prep and rfc_strict:
            sig, include_headers, sigheaders = prep
            return sig, _NoExtraFrom(include_headers), sigheaders
        return prep

    with (
        mock.patch.object(dkim.DKIM, "verify_sig_process", without_bh),
        mock.patch.object(dkim.DKIM, "verify_headerprep", strict_prep),
    ):
        return d.verify(idx=idx, dnsfunc=dnsfunc)


def body_hash(msg, sig):
    if b"\r\n\r\n" not in msg:
        return "unchecked"
    body = msg.split(b"\r\n\r\n", 1)[1]
    policy = dkim.CanonicalizationPolicy.from_c_value(sig.get(b"c", b"simple/simple"))
    canonical = policy.canonicalize_body(body)
    if b"l" in sig:
        canonical = canonical[: int(sig[b"l"])]
    want = base64.b64decode(re.sub(rb"\s+", b"", sig[b"bh"]))
    return "match" if hashlib.sha256(canonical).digest() == want else "mismatch"


def check_dkim(msg, at):
    out = []
    d = dkim.DKIM(msg, minkey=1024)
    count = len([1 for n, _ in d.headers if n.lower() == b"dkim-signature"])
    froms = len([1 for n, _ in d.headers if n.lower() == b"from"])
    for idx in range(count):
        fact = {}
        with mock.patch("time.time", return_value=at):
            sig = d.verify_headerprep(idx)[0]
            fact["domain"] = sig[b"d"].decode()
            fact["selector"] = sig[b"s"].decode()
            fact["body_hash"] = body_hash(msg, sig)
            try:
                dkim.load_pk_from_dns(sig[b"s"] + b"._domainkey." + sig[b"d"] + b".", dnsfunc)
                valid = header_only_verify(d, idx, rfc_strict=froms > 1)
                fact["header_signature"] = "valid" if valid else "invalid"
            except dkim.KeyFormatError as e:
                fact["header_signature"] = "unchecked"
                fact["note"] = str(e)
            try:
                fact["dkimpy"] = "pass" if d.verify(idx=idx, dnsfunc=dnsfunc) else "fail"
            except dkim.DKIMException as e:
                fact["dkimpy"] = "fail: " + str(e)
        if b"x" in sig:
            with mock.patch("time.time", return_value=NOW_2026):
                try:
                    d.verify(idx=idx, dnsfunc=dnsfunc)
                    fact["at_2026"] = "pass"
                except dkim.DKIMException as e:
                    fact["at_2026"] = "fail: " + str(e)
        out.append(fact)
    return out


def expected_result(fact):
    """The RFC 8601 word this project expects, from the facts dkimpy gave."""
    if fact["header_signature"] == "unchecked":
        return "permerror"
    if fact["header_signature"] == "valid" and fact["body_hash"] == "match":
        return "pass"
    if fact["body_hash"] == "unchecked":
        return "neutral"
    return "fail"


def main():
    only = set(sys.argv[1:])
    manifest = json.loads((SAMPLES / "src/manifest.json").read_text())
    preamble = {s["name"]: s.get("preamble_lines", 0) for s in manifest["samples"]}
    problems = 0
    checked = 0
    for exp_path in sorted((SAMPLES / "expected").glob("*.json")):
        name = exp_path.stem
        expected = json.loads(exp_path.read_text())
        if only and name not in only:
            continue
        if not any(k in expected for k in ("dkim", "arc", "spf")):
            continue
        path = next(p for p in (SAMPLES / f"{name}.eml", SAMPLES / f"{name}.txt") if p.exists())
        msg = read_sample(path, preamble.get(name, 0))
        at = arrival_time(msg) or int(time.time())
        print(f"== {path.name} (judged as of {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(at))})")
        checked += 1

        got = check_dkim(msg, at)
        want = expected.get("dkim", [])
        if len(got) != len(want):
            print(f"   MISMATCH: {len(got)} DKIM signatures found, {len(want)} expected")
            problems += 1
        for i, (g, w) in enumerate(zip(got, want)):
            result = expected_result(g)
            line = (
                f"   dkim[{i}] d={g['domain']} s={g['selector']}: header {g['header_signature']},"
                f" body {g['body_hash']}, dkimpy {g['dkimpy']}"
            )
            if "note" in g:
                line += f" ({g['note']})"
            if "at_2026" in g:
                line += f", at 2026-01-01: {g['at_2026']}"
            print(line)
            for key, value in (
                ("domain", g["domain"]),
                ("selector", g["selector"]),
                ("header_signature", g["header_signature"]),
                ("body_hash", g["body_hash"]),
                ("result", result),
            ):
                if w.get(key) != value:
                    print(f"   MISMATCH dkim[{i}].{key}: expected {w.get(key)}, dkimpy says {value}")
                    problems += 1
            # dkimpy's own verdict must agree with "pass", except where the expected file says why not
            dkimpy_pass = g["dkimpy"] == "pass"
            if dkimpy_pass != (w.get("result") == "pass") and not w.get("dkimpy_differs"):
                print(f"   MISMATCH dkim[{i}]: dkimpy {g['dkimpy']} vs expected {w.get('result')}")
                problems += 1
            if w.get("dkimpy_differs"):
                print(f"   note: dkimpy differs on purpose: {w['dkimpy_differs']}")

        if "arc" in expected:
            with mock.patch("time.time", return_value=at):
                cv, _results, comment = dkim.arc_verify(msg, dnsfunc=dnsfunc)
            cv = cv.decode() if isinstance(cv, bytes) else str(cv)
            print(f"   arc: {cv} ({comment})")
            if cv != expected["arc"]["result"]:
                print(f"   MISMATCH arc: expected {expected['arc']['result']}")
                problems += 1

        if "spf" in expected:
            e = expected["spf"]
            mailfrom = next(
                (v.strip().strip("<>") for n, v in unfolded_headers(msg) if n.lower() == "return-path"),
                "",
            )
            if "@" not in mailfrom:
                mailfrom = f"postmaster@{e['domain']}"
            result, explanation = spf.check2(i=e["ip"], s=mailfrom, h=e["domain"])
            print(f"   spf: {result} for {mailfrom} from {e['ip']} ({explanation})")
            if result != e["result"] or mailfrom.rsplit("@", 1)[-1].lower() != e["domain"]:
                print(f"   MISMATCH spf: expected {e['result']} for {e['domain']}")
                problems += 1
    print(f"{checked} samples checked, {problems} disagreements")
    if checked == 0:
        print("nothing checked: is samples/expected/ there?")
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
