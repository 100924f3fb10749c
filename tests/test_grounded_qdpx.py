"""REFI-QDA exchange: our export read back by ourselves and by an independent reader (pyrefiqda).

pyrefiqda 0.3.1 (PyPI, MIT) parses QDA-XML with xsdata models generated from the REFI-QDA
schema, so it rejects unknown elements and malformed GUIDs: it is our stand-in for a QDA program.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import zipfile

import pandas as pd
import pytest
from pyrefiqda import RefiCodebook, RefiProject

from chaoyang import grounded
from chaoyang.grounded import QDPXError

NS = {"q": "urn:QDA-XML:project:1.0"}
NS_CODEBOOK = {"c": "urn:QDA-XML:codebook:1.0"}
SORT = ["coder", "document", "start", "end", "code", "segment_id"]


@pytest.fixture(scope="module")
def project():
    return grounded.default_project(second=True)


@pytest.fixture(scope="module")
def exported(project, tmp_path_factory):
    path = tmp_path_factory.mktemp("qdpx") / "chaoyang.qdpx"
    grounded.export_qdpx(project, path)
    return path


def _sorted(frame):
    return frame.sort_values(SORT, kind="stable").reset_index(drop=True)


def test_round_trip_through_our_import_loses_nothing(project, exported):
    back = grounded.import_qdpx(exported)
    assert back.name == project.name
    assert back.codebook.to_dict() == project.codebook.to_dict()
    assert back.corpus.documents == project.corpus.documents  # metadata, text and turns
    pd.testing.assert_frame_equal(_sorted(back.coding), _sorted(project.coding))
    assert (back.coding["memo"] != "").sum() == (project.coding["memo"] != "").sum() > 0


def test_export_is_byte_reproducible(project, exported, tmp_path):
    again = grounded.export_qdpx(project, tmp_path / "again.qdpx")
    assert again.read_bytes() == exported.read_bytes()


def test_archive_layout_and_xml_structure(project, exported):
    with zipfile.ZipFile(exported) as archive:
        names = archive.namelist()
        root = ET.fromstring(archive.read("project.qde"))
        assert names[0] == "project.qde"
        sources = root.findall("q:Sources/q:TextSource", NS)
        assert len(sources) == len(project.corpus)
        for source in sources:
            path = source.get("plainTextPath")
            assert path.startswith("internal://") and path.endswith(".txt")
            member = "sources/" + path.removeprefix("internal://")
            assert archive.read(member).decode("utf-8") == project.corpus[source.get("name")]["text"]
    assert root.tag == "{urn:QDA-XML:project:1.0}Project"
    children = [child.tag.split("}")[1] for child in root]
    assert children == ["Users", "CodeBook", "Variables", "Sources", "Notes", "Sets"]  # the schema's order
    assert {u.get("name") for u in root.findall("q:Users/q:User", NS)} == {"gold", "second"}
    codes = {c.get("guid"): c for c in root.iter("{urn:QDA-XML:project:1.0}Code")}
    codable = [c for c in codes.values() if c.get("isCodable") == "true"]
    assert len(codable) == len(project.codebook.code_ids)
    assert all(c.get("name") and c.get("guid") for c in codes.values())
    selections = root.findall(".//q:PlainTextSelection", NS)
    assert len(selections) == len(project.coding)
    for selection in selections:
        assert int(selection.get("startPosition")) < int(selection.get("endPosition"))
        ref = selection.find("q:Coding/q:CodeRef", NS)
        assert codes[ref.get("targetGUID")].get("isCodable") == "true"
    notes = {n.get("guid") for n in root.findall("q:Notes/q:Note", NS)}
    refs = [r.get("targetGUID") for r in root.iterfind(".//q:PlainTextSelection/q:NoteRef", NS)]
    assert refs and set(refs) <= notes


def test_independent_reader_reads_every_source_code_and_coding(project, exported, tmp_path):
    parsed = RefiProject.load(exported, extract_dir=str(tmp_path / "extracted"))
    # sources: names and full text
    texts = {}
    for source in parsed.sources.text_source:
        local = RefiProject.resolve_source_path(source.plain_text_path, tmp_path / "extracted")
        texts[source.name] = local.read_text(encoding="utf-8")
    assert texts == {d["id"]: d["text"] for d in project.corpus}
    # codes: walk the tree; every open code of the codebook is a codable code
    code_ids, stack = {}, list(parsed.code_book.codes.code)
    while stack:
        code = stack.pop()
        stack.extend(code.code)
        if code.is_codable:
            code_ids[code.guid] = code.name.split(" ")[0]
    assert sorted(code_ids.values()) == sorted(project.codebook.code_ids)
    # codings: every segment with its offsets, code, coder and memo
    users = {u.guid: u.name for u in parsed.users.user}
    notes = {n.guid: n.plain_text_content for n in parsed.notes.note}
    rows = []
    for source in parsed.sources.text_source:
        for selection in source.plain_text_selection:
            for coding in selection.coding:
                rows.append({"document": source.name, "start": selection.start_position, "end": selection.end_position,
                             "code": code_ids[coding.code_ref.target_guid], "coder": users[coding.creating_user],
                             "memo": "".join(notes[r.target_guid] for r in selection.note_ref)})
    read = pd.DataFrame(rows).sort_values(["coder", "document", "start", "end", "code"]).reset_index(drop=True)
    ours = project.coding[["document", "start", "end", "code", "coder", "memo"]]
    ours = ours.sort_values(["coder", "document", "start", "end", "code"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(read, ours, check_dtype=False)
    # pathways as sets: the shared categories belong to all three
    members = {s.name: {m.target_guid for m in s.member_code} for s in parsed.sets.set}
    shared = grounded.qdpx.guid("code", "EMOTIONAL_ENERGY")
    assert len(members) == 3 and all(shared in m for m in members.values())


def test_qdc_codebook_round_trip_and_independent_reader(project, tmp_path):
    path = grounded.export_qdc(project.codebook, tmp_path / "chaoyang.qdc")
    root = ET.parse(path).getroot()
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"
    assert grounded.import_qdc(path).to_dict() == project.codebook.to_dict()
    parsed = RefiCodebook.load(path)
    names, stack = [], list(parsed.codes.code)
    while stack:
        code = stack.pop()
        stack.extend(code.code)
        names.append(code.name)
    assert len(names) == 1 + len(project.codebook.categories) + len(project.codebook.code_ids)
    assert {s.name for s in parsed.sets.set} == {p["label"] for p in project.codebook.pathways}
    core = parsed.codes.code[0]
    assert core.name == project.codebook.core["label"] and core.is_codable is False
    assert "definition: " in core.description


def test_descriptions_survive_newlines_backslashes_and_non_text_values(tmp_path):
    book = grounded.load_codebook().to_dict()
    book["codes"][0]["definition"] = "Line one\nline two with a \\n literal and C:\\path"
    book["codes"][0]["example"] = None
    path = grounded.export_qdc(book, tmp_path / "odd.qdc")
    back = grounded.import_qdc(path).to_dict()
    assert back["codes"][0]["definition"] == book["codes"][0]["definition"]
    assert back["codes"][0]["example"] is None


def test_import_errors_are_clear(tmp_path, exported):
    with pytest.raises(FileNotFoundError):
        grounded.import_qdpx(tmp_path / "missing.qdpx")
    not_zip = tmp_path / "plain.qdpx"
    not_zip.write_text("hello")
    with pytest.raises(QDPXError, match="not a zip"):
        grounded.import_qdpx(not_zip)
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("readme.txt", "x")
    with pytest.raises(QDPXError, match="no .qde"):
        grounded.import_qdpx(empty)
    wrong = tmp_path / "wrong.qdpx"
    with zipfile.ZipFile(wrong, "w") as archive:
        archive.writestr("project.qde", "<Project xmlns='urn:other'/>")
    with pytest.raises(QDPXError, match="namespace"):
        grounded.import_qdpx(wrong)
    # a coding that points at a code the codebook does not have
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(broken, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "project.qde":
                root = ET.fromstring(data)
                root.find(".//q:CodeRef", NS).set("targetGUID", "00000000-0000-0000-0000-000000000000")
                data = ET.tostring(root, encoding="utf-8")
            target.writestr(name, data)
    with pytest.raises(QDPXError, match="unknown code"):
        grounded.import_qdpx(broken)
    with pytest.raises(FileNotFoundError):
        grounded.import_qdc(tmp_path / "missing.qdc")
    with pytest.raises(TypeError, match="Project"):
        grounded.export_qdpx({"corpus": []}, tmp_path / "x.qdpx")


def test_guids_are_deterministic_and_distinct():
    assert grounded.qdpx.guid("code", "BE_HOME") == grounded.qdpx.guid("code", "BE_HOME")
    assert grounded.qdpx.guid("code", "BE_HOME") != grounded.qdpx.guid("source", "BE_HOME")


def test_read_qde_returns_the_project_xml(exported, tmp_path):
    raw = grounded.read_qde(exported)
    assert raw.startswith(b'<?xml version="1.0" encoding="utf-8"?>') and b'xmlns="urn:QDA-XML:project:1.0"' in raw
    empty = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("sources/a.txt", "x")
    with pytest.raises(QDPXError, match="no .qde"):
        grounded.read_qde(empty)


# ---------------------------------------------------------------- hostile archives
def write_deflate_bomb(path, n_blocks: int, name: str = "project.qde") -> int:
    """Write a valid zip whose one member inflates to ``n_blocks`` x 16 MiB of zeros; return that size.

    The deflate stream of a 16 MiB zero block after a full flush is the same bytes every time, so
    the stream is built by repetition (no 1.5 GiB buffer) and the CRC accumulated block by block.
    """
    import struct
    import zlib

    block = bytes(16 * 2**20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty final block
    crc = 0
    for _ in range(n_blocks):
        crc = zlib.crc32(block, crc)
    size, packed = n_blocks * len(block), n_blocks * len(piece) + len(tail)
    encoded = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, packed, size, len(encoded), 0) + encoded
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, packed, size, len(encoded),
                          0, 0, 0, 0, 0, 0) + encoded
    with open(path, "wb") as handle:
        handle.write(local)
        for _ in range(n_blocks):
            handle.write(piece)
        handle.write(tail)
        offset = handle.tell()
        handle.write(central)
        handle.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), offset, 0))
    return size


def test_the_bomb_writer_makes_a_valid_zip(tmp_path):
    path = tmp_path / "small.zip"
    size = write_deflate_bomb(path, 2, name="zeros.bin")
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None  # CRC checked over the whole member
        assert archive.getinfo("zeros.bin").file_size == size == 32 * 2**20
        assert archive.read("zeros.bin") == bytes(size)


def test_a_zip_bomb_is_refused_before_anything_is_decompressed(tmp_path, monkeypatch):
    path = tmp_path / "bomb.qdpx"
    size = write_deflate_bomb(path, 96)
    assert size == 1.5 * 2**30 and path.stat().st_size < 1.8e6  # the 1.8 MB -> 1.5 GiB file

    def no_reading(*args, **kwargs):
        raise AssertionError("a member was opened before the size check")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_reading)
    with pytest.raises(grounded.QDPXSizeError, match=r"bomb\.qdpx: refused before reading: members expand to "
                                                     r"1,536\.0 MiB \(limit 256 MiB"):
        grounded.import_qdpx(path)
    with pytest.raises(grounded.QDPXSizeError):
        grounded.read_qde(path)


def test_a_highly_compressed_member_under_the_total_limit_is_refused_by_its_ratio(tmp_path):
    path = tmp_path / "ratio.qdpx"
    write_deflate_bomb(path, 2)  # 32 MiB from about 33 kB
    with pytest.raises(grounded.QDPXSizeError, match=r"member 'project\.qde' expands [\d,]+-fold \(limit 200:1"):
        grounded.import_qdpx(path)
    assert issubclass(grounded.QDPXSizeError, grounded.QDPXError)
    assert issubclass(grounded.QDPXSizeError, ValueError)


def test_too_many_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(grounded.qdpx, "MAX_MEMBERS", 3)
    path = tmp_path / "many.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(4):
            archive.writestr(f"sources/{i}.txt", "x")
    with pytest.raises(grounded.QDPXSizeError, match="4 members"):
        grounded.import_qdpx(path)


def test_the_kits_own_export_is_well_inside_the_limits(exported):
    with zipfile.ZipFile(exported) as archive:
        infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    assert total < 2 * 2**20  # the module docstring: "under 2 MB"
    ratio = total / sum(i.compress_size for i in infos)
    assert 2 < ratio < 6  # "about 4:1"
    assert max(i.file_size / i.compress_size for i in infos) < grounded.qdpx.MAX_RATIO / 10


def _rewrite(exported, target, edit_xml=None, edit_member=None):
    with zipfile.ZipFile(exported) as source, zipfile.ZipFile(target, "w") as out:
        for name in source.namelist():
            data = source.read(name)
            if name == "project.qde" and edit_xml is not None:
                root = ET.fromstring(data)
                edit_xml(root)
                data = ET.tostring(root, encoding="utf-8")
            elif name.startswith("sources/") and edit_member is not None:
                data = edit_member(name, data)
            out.writestr(name, data)
    return target


def test_a_coding_without_coderef_is_a_named_error(tmp_path, exported):
    def drop_coderef(root):
        coding = root.find(".//q:Coding", NS)
        coding.remove(coding.find("q:CodeRef", NS))

    path = _rewrite(exported, tmp_path / "nocoderef.qdpx", edit_xml=drop_coderef)
    with pytest.raises(QDPXError, match=r"nocoderef\.qdpx: a Coding of selection .* has no CodeRef"):
        grounded.import_qdpx(path)


def test_a_selection_without_positions_is_a_named_error(tmp_path, exported):
    def drop_start(root):
        del root.find(".//q:PlainTextSelection", NS).attrib["startPosition"]

    path = _rewrite(exported, tmp_path / "nostart.qdpx", edit_xml=drop_start)
    with pytest.raises(QDPXError, match="startPosition=None; expected a whole number"):
        grounded.import_qdpx(path)


def test_a_non_utf8_transcript_is_a_named_error_naming_file_and_encoding(tmp_path, exported):
    first = []

    def to_gb18030(name, data):
        if not first:
            first.append(name)
            return data.decode("utf-8").encode("gb18030")
        return data

    path = _rewrite(exported, tmp_path / "gbk.qdpx", edit_member=to_gb18030)
    with pytest.raises(QDPXError, match=r"gbk\.qdpx: sources/.*\.txt is not UTF-8 text .*must be UTF-8.*GB18030"):
        grounded.import_qdpx(path)
