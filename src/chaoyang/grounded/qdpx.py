"""Exchange with QDA software through the REFI-QDA standard (QDA-XML 1.0).

* ``.qdpx``: a zip holding ``project.qde`` (XML, namespace ``urn:QDA-XML:project:1.0``) and the
  transcripts as ``sources/<guid>.txt`` (UTF-8). Programs such as ATLAS.ti, MAXQDA, NVivo and
  QualCoder import it.
* ``.qdc``: the codebook alone (XML, namespace ``urn:QDA-XML:codebook:1.0``).

How the kit's model is written in the standard's vocabulary:

* Codebook: the core category is a ``Code`` (``isCodable="false"``) whose children are the
  model's categories (not codable), whose children are the open codes (codable). Categories
  outside the model (counter-evidence) sit beside the core category. Pathways are ``Sets`` whose
  ``MemberCode`` elements point at their categories, so a shared category can belong to
  several pathways (a code tree cannot express that).
* Each code's id, label, definition, inclusion and exclusion criteria and example are kept in
  its ``Description`` as readable ``key: value`` lines (what a QDA program shows as the code's
  memo); non-text values are written as ``key:json: ...``.
* Transcripts are ``TextSource`` elements with ``plainTextPath="internal://<guid>.txt"``;
  their metadata are project ``Variables`` with a ``VariableValue`` per source.
* Each coded segment is a ``PlainTextSelection`` (``startPosition``/``endPosition`` are
  character offsets, end exclusive, counted in Unicode code points as Python indexes strings)
  with one ``Coding``/``CodeRef``; its coder is a ``User``; its memo is a ``Note`` linked by
  ``NoteRef``.
* Every GUID is a uuid5 of what the element stands for, and zip entries carry a fixed time
  stamp, so exporting the same project twice gives byte-identical files.

Limits on import (a ``.qdpx`` is a zip, so a small file can expand enormously - a "zip bomb"):
before any member is decompressed, the archive's directory is checked from each member's
declared sizes (``ZipInfo.file_size`` and ``compress_size``): at most :data:`MAX_MEMBERS`
members, :data:`MAX_UNCOMPRESSED_BYTES` (256 MiB) uncompressed in total and a compression ratio
of at most :data:`MAX_RATIO` (200:1) per member. :mod:`zipfile` then stops reading a member at its
declared size (and a CRC mismatch fails), so the declared sizes bound the memory used. The kit's
own project expands to under 2 MB at a ratio of about 4:1.
"""

from __future__ import annotations

import json
import uuid
import zipfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from chaoyang.grounded.model import Codebook, Corpus, GroundedError, Project, turns_from_text, validate_coding
from chaoyang.grounded.model import GroundedTypeError

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "Chaoyang teaching kit (chaoyang.grounded)"
_GUID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:chaoyang-teaching-kit:refi-qda")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Keys of code/category/core/pathway dicts that the XML structure itself carries.
_STRUCTURAL = {"category", "pathways"}


#: Most members a ``.qdpx`` archive may hold.
MAX_MEMBERS = 10_000
#: Largest total uncompressed size of a ``.qdpx`` archive's members, in bytes (256 MiB).
MAX_UNCOMPRESSED_BYTES = 256 * 2**20
#: Largest ratio uncompressed / compressed size of one member (text compresses 3-10 times).
MAX_RATIO = 200
# Members smaller than this are not ratio-checked (a tiny member can have any ratio harmlessly).
_RATIO_FLOOR = 64 * 2**10


class QDPXError(GroundedError):
    """A REFI-QDA file cannot be read (not a zip, no project.qde, a dangling reference...)."""


class QDPXSizeError(QDPXError):
    """A ``.qdpx`` archive would expand beyond the import limits (a zip bomb or a corrupt file)."""


def _open_archive(path: Path) -> zipfile.ZipFile:
    """Open a ``.qdpx`` zip after checking its directory against the size limits (nothing decompressed)."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise QDPXError(f"{path}: not a zip archive; a .qdpx file is a zip with project.qde inside") from None
    infos = archive.infolist()
    problem = None
    if len(infos) > MAX_MEMBERS:
        problem = f"{len(infos):,} members (limit {MAX_MEMBERS:,})"
    total = sum(info.file_size for info in infos)
    if problem is None and total > MAX_UNCOMPRESSED_BYTES:
        problem = (f"members expand to {total / 2**20:,.1f} MiB (limit {MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MiB, "
                   "chaoyang.grounded.qdpx.MAX_UNCOMPRESSED_BYTES)")
    for info in infos if problem is None else []:
        if info.file_size > _RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            problem = (f"member {info.filename!r} expands {info.file_size / max(info.compress_size, 1):,.0f}-fold "
                       f"(limit {MAX_RATIO}:1, chaoyang.grounded.qdpx.MAX_RATIO)")
            break
    if problem is not None:
        archive.close()
        raise QDPXSizeError(f"{path}: refused before reading: {problem}; this is not a QDA project export "
                            "(possibly a zip bomb) - re-export the project from your QDA program")
    return archive


def _read_member(archive: zipfile.ZipFile, member: str, path: Path) -> bytes:
    try:
        return archive.read(member)
    except (zipfile.BadZipFile, OSError, EOFError) as error:  # CRC mismatch, truncated data
        raise QDPXError(f"{path}: member {member!r} is corrupt ({error}); re-export the project") from None


def _text(data: bytes, member: str, path: Path) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QDPXError(f"{path}: {member} is not UTF-8 text (byte {data[error.start:error.start + 1]!r} at offset "
                        f"{error.start}); REFI-QDA sources must be UTF-8 - re-save the transcript as UTF-8 "
                        "(e.g. from GB18030 or Big5) and re-export") from None


def _int_attribute(element: ET.Element, attribute: str, where: str, path: Path) -> int:
    value = element.get(attribute)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise QDPXError(f"{path}: {where} has {attribute}={value!r}; expected a whole number of characters") from None


def guid(kind: str, key: str) -> str:
    """The deterministic GUID (uuid5) of an element, e.g. ``guid("code", "BE_HOME")``.

    Examples
    --------
    >>> guid("code", "BE_HOME") == guid("code", "BE_HOME")
    True
    """
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{key}"))


def _q(tag: str, ns: str = PROJECT_NS) -> str:
    return f"{{{ns}}}{tag}"


def _describe(item: dict) -> str:
    lines = []
    for key, value in item.items():
        if key in _STRUCTURAL:
            continue
        if isinstance(value, str):
            lines.append(f"{key}: " + value.replace("\\", "\\\\").replace("\n", "\\n"))
        else:
            lines.append(f"{key}:json: " + json.dumps(value, ensure_ascii=False, sort_keys=True))
    return "\n".join(lines)


def _undescribe(text: str | None) -> dict:
    item = {}
    for line in (text or "").split("\n"):
        key, sep, value = line.partition(": ")
        if not sep:
            continue
        if key.endswith(":json"):
            item[key[:-5]] = json.loads(value)
        else:
            item[key] = value.replace("\\\\", "\0").replace("\\n", "\n").replace("\0", "\\")
    return item


def _code_element(item: dict, codable: bool, ns: str) -> ET.Element:
    name = f"{item['id']} {item['label']}" if codable and item.get("label") else item.get("label", item["id"])
    element = ET.Element(_q("Code", ns), {"guid": guid("code", item["id"]), "name": name,
                                          "isCodable": "true" if codable else "false"})
    ET.SubElement(element, _q("Description", ns)).text = _describe(item)
    return element


def _codes_and_sets(book: Codebook, ns: str) -> tuple[ET.Element, ET.Element]:
    codes = ET.Element(_q("Codes", ns))
    core = _code_element(book.core, False, ns)
    codes.append(core)
    for category in book.categories:
        node = _code_element(category, False, ns)
        (core if category["id"] in book.main_categories else codes).append(node)
        for code in book.codes:
            if code["category"] == category["id"]:
                node.append(_code_element(code, True, ns))
    sets = ET.Element(_q("Sets", ns))
    for pathway in book.pathways:
        element = ET.SubElement(sets, _q("Set", ns), {"guid": guid("set", pathway["id"]),
                                                       "name": pathway.get("label", pathway["id"])})
        ET.SubElement(element, _q("Description", ns)).text = _describe(pathway)
        for category in book.categories:
            if pathway["id"] in category["pathways"]:
                attribute = "targetGUID" if ns == PROJECT_NS else "guid"
                ET.SubElement(element, _q("MemberCode", ns), {attribute: guid("code", category["id"])})
    return codes, sets


def _to_bytes(root: ET.Element, ns: str) -> bytes:
    # ElementTree's default_namespace option rejects unqualified attributes, so the tree is
    # written with bare tags and the default namespace declared on the root by hand.
    root = _strip_namespace(root, ns)
    root.set("xmlns", ns)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n").encode("utf-8")


def _strip_namespace(element: ET.Element, ns: str) -> ET.Element:
    copy = ET.Element(element.tag.removeprefix(f"{{{ns}}}"), dict(element.attrib))
    copy.text, copy.tail = element.text, element.tail
    copy.extend(_strip_namespace(child, ns) for child in element)
    return copy


def export_qdc(codebook, path) -> Path:
    """Write the codebook as a REFI-QDA codebook file (``.qdc``).

    Parameters
    ----------
    codebook : Codebook or dict
    path : str or pathlib.Path
        Destination; conventionally ends in ``.qdc``.

    Returns
    -------
    pathlib.Path
        The written path.

    Examples
    --------
    >>> export_qdc(load_codebook(), "chaoyang.qdc")  # doctest: +SKIP
    PosixPath('chaoyang.qdc')
    """
    book = Codebook.from_dict(codebook)
    root = ET.Element(_q("CodeBook", CODEBOOK_NS), {"origin": ORIGIN})
    codes, sets = _codes_and_sets(book, CODEBOOK_NS)
    root.append(codes)
    if len(sets):
        root.append(sets)
    path = Path(path)
    path.write_bytes(_to_bytes(root, CODEBOOK_NS))
    return path


def _read_codebook(codes: ET.Element, sets: ET.Element | None, ns: str) -> tuple[Codebook, dict]:
    """Rebuild the codebook; return it and a map code GUID -> code id."""
    if codes is None:
        raise QDPXError("the file has no CodeBook/Codes element")
    core, categories, leaf_codes, by_guid = None, [], [], {}
    for top in codes.findall(_q("Code", ns)):
        item = _undescribe(top.findtext(_q("Description", ns)))
        item.setdefault("id", top.get("name"))
        by_guid[top.get("guid")] = item["id"]
        children = top.findall(_q("Code", ns))
        is_core = bool(children) and all(c.get("isCodable") == "false" for c in children)
        if is_core and core is None:
            core = item
            category_nodes = children
        else:
            category_nodes = [top]
        for node in category_nodes:
            category = item if node is top else _undescribe(node.findtext(_q("Description", ns)))
            category.setdefault("id", node.get("name"))
            category["pathways"] = []
            by_guid[node.get("guid")] = category["id"]
            categories.append(category)
            for leaf in node.findall(_q("Code", ns)):
                code = _undescribe(leaf.findtext(_q("Description", ns)))
                code.setdefault("id", leaf.get("name"))
                code["category"] = category["id"]
                by_guid[leaf.get("guid")] = code["id"]
                leaf_codes.append(code)
    if core is None:
        raise QDPXError("no core category found: expected a top-level Code whose children are non-codable categories")
    pathways = []
    for element in [] if sets is None else sets.findall(_q("Set", ns)):
        pathway = _undescribe(element.findtext(_q("Description", ns)))
        pathway.setdefault("id", element.get("name"))
        pathways.append(pathway)
        for member in element.findall(_q("MemberCode", ns)):
            target = by_guid.get(member.get("targetGUID") or member.get("guid"))
            for category in categories:
                if category["id"] == target:
                    category["pathways"].append(pathway["id"])
    # Key order as in the kit's codebook: id first, structural keys where the dict had them.
    categories = [_reorder(c, ("id", "label", "pathways")) for c in categories]
    leaf_codes = [_reorder(c, ("id", "category", "label")) for c in leaf_codes]
    return Codebook.from_dict({"core": core, "pathways": pathways, "categories": categories,
                               "codes": leaf_codes}), by_guid


def _reorder(item: dict, first: tuple) -> dict:
    return {**{k: item[k] for k in first if k in item}, **{k: v for k, v in item.items() if k not in first}}


def import_qdc(path) -> Codebook:
    """Read a ``.qdc`` codebook written by :func:`export_qdc` (or by a QDA program).

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    QDPXError
        If it is not QDA-XML codebook XML.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no codebook file at {path}")
    if path.stat().st_size > MAX_UNCOMPRESSED_BYTES:
        raise QDPXSizeError(f"{path}: {path.stat().st_size / 2**20:,.1f} MiB is beyond the "
                            f"{MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MiB limit for a codebook; is it the right file?")
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as error:
        raise QDPXError(f"{path}: not well-formed XML ({error})") from None
    if root.tag != _q("CodeBook", CODEBOOK_NS):
        raise QDPXError(f"{path}: root element is {root.tag}, expected CodeBook in namespace {CODEBOOK_NS}")
    book, _ = _read_codebook(root.find(_q("Codes", CODEBOOK_NS)), root.find(_q("Sets", CODEBOOK_NS)), CODEBOOK_NS)
    return book


def _variable_type(values) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "Boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "Integer"
    return "Text"


def export_qdpx(project: Project, path) -> Path:
    """Export a project (sources, codebook, codings, memos) to a REFI-QDA ``.qdpx`` file.

    Parameters
    ----------
    project : Project
        E.g. :func:`default_project`. Its coding may hold several coders.
    path : str or pathlib.Path
        Destination; conventionally ends in ``.qdpx``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    TypeError
        If ``project`` is not a :class:`Project`.

    Examples
    --------
    >>> export_qdpx(default_project(), "chaoyang.qdpx")  # doctest: +SKIP
    PosixPath('chaoyang.qdpx')
    """
    if not isinstance(project, Project):
        raise GroundedTypeError(f"project must be a Project (see default_project()), got {type(project).__name__}")
    coding = validate_coding(project.coding, project.corpus, project.codebook)
    coders = list(dict.fromkeys(coding["coder"]))
    root = ET.Element(_q("Project"), {"name": project.name, "origin": ORIGIN})
    users = ET.SubElement(root, _q("Users"))
    for coder in coders:
        ET.SubElement(users, _q("User"), {"guid": guid("user", coder), "name": coder, "id": coder})
    codes, sets = _codes_and_sets(project.codebook, PROJECT_NS)
    ET.SubElement(root, _q("CodeBook")).append(codes)
    fields = {}
    for doc in project.corpus:
        for key, value in doc.items():
            if key not in ("id", "text", "turns"):
                fields.setdefault(key, []).append(value)
    if fields:
        variables = ET.SubElement(root, _q("Variables"))
        for key, values in fields.items():
            ET.SubElement(variables, _q("Variable"), {"guid": guid("variable", key), "name": key,
                                                       "typeOfVariable": _variable_type(values)})
    sources = ET.SubElement(root, _q("Sources"))
    notes = ET.Element(_q("Notes"))
    files = {}
    for doc in project.corpus:
        source_guid = guid("source", doc["id"])
        files[f"sources/{source_guid}.txt"] = doc["text"].encode("utf-8")
        source = ET.SubElement(sources, _q("TextSource"), {"guid": source_guid, "name": doc["id"],
                                                             "plainTextPath": f"internal://{source_guid}.txt"})
        for segment in coding.loc[coding["document"] == doc["id"]].itertuples(index=False):
            key = f"{segment.coder}:{segment.segment_id}"
            selection = ET.SubElement(source, _q("PlainTextSelection"), {
                "guid": guid("selection", key), "name": segment.segment_id, "startPosition": str(segment.start),
                "endPosition": str(segment.end), "creatingUser": guid("user", segment.coder)})
            coded = ET.SubElement(selection, _q("Coding"), {"guid": guid("coding", key),
                                                             "creatingUser": guid("user", segment.coder)})
            ET.SubElement(coded, _q("CodeRef"), {"targetGUID": guid("code", segment.code)})
            if segment.memo:
                note_guid = guid("note", key)
                ET.SubElement(selection, _q("NoteRef"), {"targetGUID": note_guid})
                note = ET.SubElement(notes, _q("Note"), {"guid": note_guid, "name": f"Memo {segment.segment_id}",
                                                         "creatingUser": guid("user", segment.coder)})
                ET.SubElement(note, _q("PlainTextContent")).text = segment.memo
        for key in fields:
            if key not in doc:
                continue
            holder = ET.SubElement(source, _q("VariableValue"))
            ET.SubElement(holder, _q("VariableRef"), {"targetGUID": guid("variable", key)})
            value = doc[key]
            kind = _variable_type(fields[key])
            tag = {"Boolean": "BooleanValue", "Integer": "IntegerValue"}.get(kind, "TextValue")
            text = ("true" if value else "false") if kind == "Boolean" else str(value)
            ET.SubElement(holder, _q(tag)).text = text
    if len(notes):
        root.append(notes)
    if len(sets):
        root.append(sets)
    path = Path(path)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in [("project.qde", _to_bytes(root, PROJECT_NS)), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def import_qdpx(path) -> Project:
    """Read a ``.qdpx`` project back: corpus, codebook, coding (all coders) and memos.

    Transcript turns and each segment's ``answer`` and ``text`` are rebuilt from the source
    text, and the coding is validated (:func:`validate_coding`). Coding rows come sorted by
    coder, document, start, end and code (the XML nests selections by source, so the original
    row order is not part of the file).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    Project

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    QDPXError
        If it is not a zip with a well-formed ``project.qde`` in the QDA-XML project namespace,
        a source file is missing, or a coding points at an unknown code.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no project file at {path}")
    with _open_archive(path) as archive:
        names = archive.namelist()
        qde = next((n for n in names if n.lower().endswith(".qde")), None)
        if qde is None:
            raise QDPXError(f"{path}: no .qde project file inside the archive")
        try:
            root = ET.fromstring(_read_member(archive, qde, path))
        except ET.ParseError as error:
            raise QDPXError(f"{path}: {qde} is not well-formed XML ({error})") from None
        if root.tag != _q("Project"):
            raise QDPXError(f"{path}: root element is {root.tag}, expected Project in namespace {PROJECT_NS}")
        book, code_by_guid = _read_codebook(root.find(f"{_q('CodeBook')}/{_q('Codes')}"), root.find(_q("Sets")),
                                            PROJECT_NS)
        users = {u.get("guid"): u.get("name") or u.get("id") or u.get("guid")
                 for u in root.iterfind(f"{_q('Users')}/{_q('User')}")}
        variables = {v.get("guid"): v.get("name") for v in root.iterfind(f"{_q('Variables')}/{_q('Variable')}")}
        notes = {n.get("guid"): n.findtext(_q("PlainTextContent")) or ""
                 for n in root.iterfind(f"{_q('Notes')}/{_q('Note')}")}
        documents, rows = [], []
        for source in root.iterfind(f"{_q('Sources')}/{_q('TextSource')}"):
            name = source.get("name") or source.get("guid")
            text = source.findtext(_q("PlainTextContent"))
            if text is None:
                internal = source.get("plainTextPath") or ""
                member = "sources/" + internal.removeprefix("internal://")
                if member not in names:
                    raise QDPXError(f"{path}: source {name!r} points at {internal!r}, which is not in the archive")
                text = _text(_read_member(archive, member, path), member, path)
            doc = {"id": name}
            for holder in source.findall(_q("VariableValue")):
                ref = holder.find(_q("VariableRef"))
                key = variables.get(ref.get("targetGUID")) if ref is not None else None
                if key is None:
                    raise QDPXError(f"{path}: source {name!r} has a value for an undeclared variable")
                if holder.find(_q("BooleanValue")) is not None:
                    doc[key] = holder.findtext(_q("BooleanValue")) in ("true", "1")
                elif holder.find(_q("IntegerValue")) is not None:
                    doc[key] = int(holder.findtext(_q("IntegerValue")))
                else:
                    doc[key] = holder.findtext(_q("TextValue")) or ""
            doc["text"] = text
            doc["turns"] = turns_from_text(text)
            documents.append(doc)
            for selection in source.findall(_q("PlainTextSelection")):
                memo = "".join(notes.get(r.get("targetGUID"), "") for r in selection.findall(_q("NoteRef")))
                where = f"selection {selection.get('name') or selection.get('guid')!r} in {name!r}"
                start = _int_attribute(selection, "startPosition", where, path)
                end = _int_attribute(selection, "endPosition", where, path)
                for coded in selection.findall(_q("Coding")):
                    reference = coded.find(_q("CodeRef"))
                    if reference is None:
                        raise QDPXError(f"{path}: a Coding of {where} has no CodeRef (which code it applies); "
                                        "the export is incomplete - re-export the project")
                    target = reference.get("targetGUID")
                    if target not in code_by_guid:
                        raise QDPXError(f"{path}: selection {selection.get('name')!r} in {name!r} is coded with "
                                        f"unknown code GUID {target}")
                    user = coded.get("creatingUser") or selection.get("creatingUser")
                    rows.append({"segment_id": selection.get("name") or selection.get("guid"), "document": name,
                                 "start": start, "end": end, "code": code_by_guid[target],
                                 "coder": users.get(user, user or "coder"), "memo": memo})
    corpus = Corpus.from_records(documents)
    coding = pd.DataFrame(rows, columns=["segment_id", "document", "start", "end", "code", "coder", "memo"])
    coding = coding.sort_values(["coder", "document", "start", "end", "code", "segment_id"], kind="stable")
    return Project(corpus, book, validate_coding(coding, corpus, book, name=str(path)),
                   root.get("name") or "imported project")


def read_qde(path) -> bytes:
    """The raw ``project.qde`` XML inside a ``.qdpx`` file (to inspect or validate it)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no project file at {path}")
    with _open_archive(path) as archive:
        qde = next((n for n in archive.namelist() if n.lower().endswith(".qde")), None)
        if qde is None:
            raise QDPXError(f"{path}: no .qde project file inside the archive")
        return _read_member(archive, qde, path)


__all__ = ["export_qdpx", "import_qdpx", "export_qdc", "import_qdc", "read_qde", "guid", "QDPXError", "QDPXSizeError",
           "MAX_MEMBERS", "MAX_UNCOMPRESSED_BYTES", "MAX_RATIO",
           "PROJECT_NS", "CODEBOOK_NS"]
