"""``realign-transform.json`` applied to torch tensors (docs/output.md, "realign-transform.json",
DESIGN.md section 1): normalise, anchor + trace, then each centroid step, renormalising."""

from __future__ import annotations

import hashlib
import json
import os
import struct
from typing import List

from ._deps import require

torch = require("torch")

FORMAT = "realign-transform"
# Version 2 (written when realign encoded the texts) adds the encoder's pooling, context length and
# output dtype to "encoder", hashed after everything version 1 hashes.
KNOWN_FORMAT_VERSIONS = (1, 2)


def _utf(s: str) -> bytes:
    # java.io.DataOutputStream.writeUTF: 2-byte length + (modified) UTF-8; equal for the
    # identifiers and hex strings a transform holds.
    b = s.encode("utf-8")
    return struct.pack(">H", len(b)) + b


def canonical_sha256(t: dict) -> str:
    """SHA-256 of the transform's canonical parameter encoding, as realign computes it."""
    out = bytearray()
    out += _utf(f"realign-transform/{t['format_version']}")
    out += _utf(t["variant"])
    out += struct.pack(">i", t["dim"])
    out += struct.pack(">qq", t["counts"]["text"], t["counts"]["image"])
    out += struct.pack(">ddd", t["traces"]["text"], t["traces"]["image"], t["scale"])

    def vector(v):
        return struct.pack(">i", len(v)) + struct.pack(f">{len(v)}d", *v)

    out += vector(t["mu_text"]) + vector(t["mu_image"])
    out += struct.pack(">i", len(t["mu_hat"]))
    for h in t["mu_hat"]:
        out += vector(h)
    enc = t.get("encoder", {})
    out += _utf(enc.get("name") or "") + _utf(enc.get("sha256") or "")
    inputs = t.get("inputs", {})
    out += _utf(inputs.get("text_sketch_sha256", "")) + _utf(inputs.get("image_sketch_sha256", ""))
    cs = inputs.get("centroid_sketch_sha256", [])
    out += struct.pack(">i", len(cs))
    for s in cs:
        out += _utf(s)
    if t["format_version"] >= 2:
        out += _utf(enc["pooling"]) + struct.pack(">i", enc["context_length"])
        out += _utf(enc["output_dtype"])
    return hashlib.sha256(bytes(out)).hexdigest()


def _check_shapes(doc: dict, path: str) -> None:
    """Every vector holds ``dim`` numbers, as realign's TransformJson checks: a one-element
    ``mu_text`` with a matching sha256 would otherwise broadcast into garbage without error."""
    dim = doc.get("dim")
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 1:
        raise ValueError(f"Invalid transform {path}: dim {dim!r} (must be an integer > 0)")

    def vector(v, field):
        if not isinstance(v, list) or len(v) != dim:
            got = f"{len(v)} values" if isinstance(v, list) else type(v).__name__
            raise ValueError(f"Invalid transform {path}: field {field!r} has {got} (must be an"
                             f" array of dim = {dim} numbers)")
        for j, x in enumerate(v):
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise ValueError(f"Invalid transform {path}: field {field!r}[{j}] is {x!r} (must"
                                 f" be a number)")

    vector(doc.get("mu_text"), "mu_text")
    vector(doc.get("mu_image"), "mu_image")
    hats = doc.get("mu_hat")
    if not isinstance(hats, list):
        raise ValueError(f"Invalid transform {path}: field 'mu_hat' is {type(hats).__name__}"
                         f" (must be an array of vectors)")
    for k, h in enumerate(hats):
        vector(h, f"mu_hat[{k}]")
    for key, fields in (("counts", ("text", "image")), ("traces", ("text", "image"))):
        block = doc.get(key)
        if not isinstance(block, dict) or any(
                isinstance(block.get(f), bool) or not isinstance(block.get(f), (int, float))
                for f in fields):
            raise ValueError(f"Invalid transform {path}: field {key!r} is {block!r} (must hold"
                             f" numbers 'text' and 'image')")
    scale = doc.get("scale")
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise ValueError(f"Invalid transform {path}: scale {scale!r} (must be a number)")


class Transform:
    """The fitted ReAlign transform. ``t(x)`` aligns raw text embeddings ``x`` (n, d) on x's
    device; the math runs in float64 (as realign's kernel) and the result is float32."""

    def __init__(self, doc: dict, path: str = "<memory>"):
        if not isinstance(doc, dict):
            raise ValueError(f"Invalid transform {path}: {type(doc).__name__} (must be an"
                             f" object)")
        if doc.get("format") != FORMAT or doc.get("format_version") not in KNOWN_FORMAT_VERSIONS:
            raise ValueError(f"Invalid transform {path}: format {doc.get('format')!r} version"
                             f" {doc.get('format_version')!r} (expected {FORMAT!r} version"
                             f" {list(KNOWN_FORMAT_VERSIONS)})")
        _check_shapes(doc, path)
        actual = canonical_sha256(doc)
        if actual != doc.get("sha256"):
            raise ValueError(f"Invalid transform {path}: sha256 expected {doc.get('sha256')},"
                             f" actual {actual} (the file was edited or damaged)")
        self.doc = doc
        self.path = path
        self.sha256: str = doc["sha256"]
        self.dim: int = doc["dim"]
        self.variant: str = doc["variant"]
        self.scale: float = doc["scale"]
        f64 = torch.float64
        self.mu_text = torch.tensor(doc["mu_text"], dtype=f64)
        self.mu_image = torch.tensor(doc["mu_image"], dtype=f64)
        self.mu_hat: List[torch.Tensor] = [torch.tensor(h, dtype=f64) for h in doc["mu_hat"]]

    def to(self, device) -> "Transform":
        self.mu_text = self.mu_text.to(device)
        self.mu_image = self.mu_image.to(device)
        self.mu_hat = [h.to(device) for h in self.mu_hat]
        return self

    def __call__(self, x: "torch.Tensor", compute_dtype=torch.float64) -> "torch.Tensor":
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"Invalid input: shape {tuple(x.shape)} (must be (n, {self.dim}),"
                             f" the transform's dim)")
        dev = x.device
        mt = self.mu_text.to(dev, compute_dtype)
        mi = self.mu_image.to(dev, compute_dtype)
        y = x.to(compute_dtype)
        y = y / torch.linalg.vector_norm(y, dim=1, keepdim=True)
        e = mi + self.scale * (y - mt)
        e = e / torch.linalg.vector_norm(e, dim=1, keepdim=True)
        for h in self.mu_hat:
            e = e - h.to(dev, compute_dtype) + mi
            e = e / torch.linalg.vector_norm(e, dim=1, keepdim=True)
        return e.to(torch.float32)


def load_transform(path: str, device=None) -> Transform:
    """Loads ``realign-transform.json`` (or the one in an output directory), checks its format
    and its SHA-256, and returns a callable on torch tensors (moved to ``device`` if given)."""
    path = os.fspath(path)
    if os.path.isdir(path):
        path = os.path.join(path, "realign-transform.json")
    with open(path, "rb") as f:
        try:
            doc = json.loads(f.read().decode("utf-8"))
        except ValueError as e:
            raise ValueError(f"Invalid transform {path}: not JSON ({e})") from e
    t = Transform(doc, path)
    return t.to(device) if device is not None else t
