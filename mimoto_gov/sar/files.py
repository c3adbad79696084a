"""The files of a subject access package: safe names, the manifest, the zip, verification.

``send/manifest.json`` lists every file sent with its size and SHA-256; the zip holds exactly
those files and the manifest. :func:`verify_manifest` checks both, and
:func:`sent_package_digest` is what ``mimoto-gov requests sent`` records: the manifest's own
SHA-256, which pins every file sent.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
import zipfile
from pathlib import Path

from mimoto_gov.errors import InputError
from mimoto_gov.sar.model import SEND

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                     *(f"lpt{i}" for i in range(1, 10))}  # fmt: skip
_UNSAFE_CHARS_RE = re.compile(r'[<>:"/\\|?*]')
_MAX_NAME_BYTES = 150


def safe_filename(name: object, taken: set[str], fallback: str = "attachment") -> str:
    """Return a file name safe anywhere and distinct (ignoring case) from ``taken``.

    Keeps only the last path component, drops control and format characters, replaces
    characters Windows forbids, strips leading dots (no hidden files, no ``..``) and trailing
    dots and spaces, shortens long names keeping the extension, and adds `` (2)``, `` (3)``...
    before the extension when the name is taken. The chosen name is added to ``taken``.

    Args:
        name: the stored file name (untrusted).
        taken: lower-cased names already used in the folder; updated.
        fallback: the name used when nothing usable is left.

    """
    text = unicodedata.normalize("NFC", str(name) if isinstance(name, str) else "")
    text = re.split(r"[/\\]", text)[-1]
    text = "".join(c for c in text if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    text = _UNSAFE_CHARS_RE.sub("_", text).strip().lstrip(".").rstrip(". ")
    stem, dot, ext = text.rpartition(".")
    if not dot or not stem:
        stem, ext = text, ""
    if len(ext.encode()) > 20:
        stem, ext = text, ""
    if not stem:
        stem = fallback
    if stem.lower() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    suffix = f".{ext}" if ext else ""
    number = 1
    while True:
        tail = f" ({number}){suffix}" if number > 1 else suffix
        room = _MAX_NAME_BYTES - len(tail.encode())
        short = stem.encode()[:room].decode("utf-8", errors="ignore").rstrip(". ")
        candidate = f"{short or fallback}{tail}"
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
        number += 1


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file (hex), read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def manifest_entries(folder: Path) -> list[dict]:
    """Every file sent under ``folder`` (``send/``) with its size and SHA-256, by path.

    Leaves out ``manifest.json`` itself and the zip.
    """
    entries = []
    for path in sorted(Path(folder).rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or relative == "manifest.json":
            continue
        if relative.endswith(".zip") and "/" not in relative:
            continue
        entries.append({"path": relative, "size": path.stat().st_size, "sha256": sha256_of(path)})
    return entries


def package_id(request_id: str) -> str:
    """Return the folder name for a request id, refusing ids unsafe as a file name."""
    text = str(request_id)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", text) or ".." in text:
        raise InputError(f"request id {request_id!r} cannot be used as a folder name")
    return text


def write_zip(folder: Path, stem: str, paths: list[str]) -> Path:
    """Zip ``paths`` (relative to ``folder``) and the manifest under ``<stem>/``, 0600."""
    target = folder / f"{stem}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for relative in [*paths, "manifest.json"]:
            archive.write(folder / relative, f"{stem}/{relative}")
    target.chmod(0o600)
    return target


def send_folder(folder: Path) -> Path:
    """Return the folder that was sent: ``folder/send`` of a package, or ``folder`` itself."""
    folder = Path(folder)
    return folder / SEND if (folder / SEND / "manifest.json").is_file() else folder


def verify_manifest(folder: Path) -> list[str]:
    """Check a package against its manifest; return the problems found (empty when it verifies).

    Every listed file must be there unchanged, nothing unlisted may be there, and the zip must
    hold exactly the listed files and the manifest, byte for byte.

    Args:
        folder: a package folder written by :func:`write_package` (or its ``send/``).

    """
    folder = send_folder(folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {e["path"]: e for e in manifest["files"]}
    actual = {e["path"]: e for e in manifest_entries(folder)}
    problems = [f"missing: {p}" for p in sorted(set(listed) - set(actual))]
    problems += [f"not in the manifest: {p}" for p in sorted(set(actual) - set(listed))]
    for path in sorted(set(listed) & set(actual)):
        if listed[path]["sha256"] != actual[path]["sha256"]:
            problems.append(f"changed: {path}")
        elif listed[path]["size"] != actual[path]["size"]:
            problems.append(f"size differs: {path}")
    for archive_path in sorted(folder.glob("*.zip")):
        stem = archive_path.stem
        with zipfile.ZipFile(archive_path) as archive:
            members = {n.removeprefix(f"{stem}/"): n for n in archive.namelist()}
            if set(members) != set(listed) | {"manifest.json"}:
                problems.append(f"the zip does not hold exactly the manifest's files: {stem}.zip")
                continue
            for path, member in members.items():
                if hashlib.sha256(archive.read(member)).hexdigest() != (
                    listed[path]["sha256"] if path in listed else sha256_of(folder / path)
                ):
                    problems.append(f"the zip's copy differs: {path}")
    return problems


def sent_package_digest(reports_dir: Path, request_id: str) -> tuple[str, int]:
    """Return the SHA-256 of a package's manifest and its file count, once the package verifies.

    Raises:
        InputError: there is no package for the request, or it does not match its manifest.

    """
    folder = Path(reports_dir) / "sar" / package_id(request_id) / SEND
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        raise InputError(
            f"no subject access package for request {request_id} in {folder.parent}: build it "
            "with `mimoto-gov sar --request-id ID` first"
        )
    problems = verify_manifest(folder)
    if problems:
        raise InputError(
            f"the package for request {request_id} does not match its manifest "
            f"({'; '.join(problems[:3])}): rebuild it before recording it as sent"
        )
    files = len(json.loads(manifest.read_text(encoding="utf-8"))["files"])
    return sha256_of(manifest), files
