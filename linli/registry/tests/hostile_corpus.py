"""A corpus of hostile and broken import files, generated in code into a folder (synthetic data only).

Every file is one an attacker or a broken export could hand to an import: zip bombs, XML bombs, zips
whose sizes or CRCs lie, encrypted workbooks, binaries under a spreadsheet's name, truncated files,
csv in odd encodings, huge cells, huge declared and actual sheet extents, too many columns, duplicate
and missing headers, formulas in every spelling, NUL bytes, very long lines. No file holds a row that
may be written: a file that is read at all has at least one wrong row (a wrong ID check digit), so an
import without "write the valid rows" writes nothing, and the corpus test can demand 0 writes.
"""

from __future__ import annotations

import io
import random
import struct
import warnings
import zipfile
from datetime import date
from pathlib import Path

from linli.lib.idcard import make_id_number

HEADER = ["姓名", "身份证号", "联系电话", "人口类型", "现住址"]
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def bad_id() -> str:
    """A well-formed ID number whose check digit is wrong: the row is always an error."""
    good = make_id_number("310120", date(1960, 5, 5), 123, "M")
    return good[:17] + ("0" if good[17] != "0" else "1")


def data_row(n: int = 0) -> list[str]:
    return [f"坏行{n}", bad_id(), "13800000000", "户籍", "育秀路1号"]


# Workbooks, assembled part by part so that any part can be made hostile.


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline_row(r: int, values: list[str], *, refs: bool = True) -> str:
    cells = "".join(
        (f'<c r="{column_letters(i + 1)}{r}" t="inlineStr">' if refs else '<c t="inlineStr">')
        + f"<is><t>{_esc(v)}</t></is></c>"
        for i, v in enumerate(values)
    )
    return f'<row r="{r}">{cells}</row>' if refs else f"<row>{cells}</row>"


def sheet_xml(
    rows: str | None = None, *, dimension: str | None = "A1:E2", prolog: str = "", root_attrs: str = ""
) -> bytes:
    if rows is None:
        rows = inline_row(1, HEADER) + inline_row(2, data_row())
    dim = f'<dimension ref="{dimension}"/>' if dimension is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet xmlns="{MAIN_NS}"{root_attrs}>{dim}<sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def base_parts(sheet: bytes | None = None, shared: bytes | None = None) -> dict[str, bytes]:
    overrides = (
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
        'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    )
    rels = f'<Relationship Id="rId1" Type="{DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
            f'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            f'"application/xml"/>{overrides}</Types>'
        ).encode(),
        "_rels/.rels": (
            f'<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" Type="{DOC_REL}/officeDocument" '
            f'Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN_NS}" xmlns:r="{DOC_REL}"><sheets><sheet name="Sheet1" sheetId="1" '
            f'r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(),
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
        rels += f'<Relationship Id="rId2" Type="{DOC_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{REL_NS}">{rels}</Relationships>'.encode()
    return parts


def zip_bytes(parts: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xlsx(**kwargs: bytes | None) -> bytes:
    return zip_bytes(base_parts(**kwargs))


def shared_strings(strings: list[str], *, prolog: str = "") -> bytes:
    items = "".join(f"<si><t>{_esc(s)}</t></si>" for s in strings)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<sst xmlns="{MAIN_NS}" count="{len(strings)}" '
        f'uniqueCount="{len(strings)}">{items}</sst>'
    ).encode()


def shared_sheet(indexes: list[list[str]], dimension: str = "A1:E2") -> bytes:
    rows = "".join(
        f'<row r="{r}">'
        + "".join(f'<c r="{column_letters(i + 1)}{r}" t="s"><v>{v}</v></c>' for i, v in enumerate(row))
        + "</row>"
        for r, row in enumerate(indexes, start=1)
    )
    return sheet_xml(rows, dimension=dimension)


def patch_entry(data: bytes, name: str, *, central: dict[int, bytes], local: dict[int, bytes]) -> bytes:
    """Overwrite fields of one entry's central-directory record and local header (offsets as in APPNOTE)."""
    out = bytearray(data)
    encoded = name.encode()
    position = out.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", out, position + 28)[0]
        if bytes(out[position + 46 : position + 46 + name_length]) == encoded:
            for offset, value in central.items():
                out[position + offset : position + offset + len(value)] = value
            header = struct.unpack_from("<I", out, position + 42)[0]
            for offset, value in local.items():
                out[header + offset : header + offset + len(value)] = value
            return bytes(out)
        position = out.find(b"PK\x01\x02", position + 4)
    raise KeyError(name)


LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10)
    )
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>'
PARAMETER = '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>'

BINARIES: dict[str, bytes] = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 4,
    "elf": b"\x7fELF\x02\x01\x01" + bytes(120),
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + bytes(100) + b"This program cannot be run in DOS mode",
    "gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(20),
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(60),
    "gzip": b"\x1f\x8b\x08\x00" + bytes(40),
    "7z": b"7z\xbc\xaf\x27\x1c" + bytes(40),
    "rar": b"Rar!\x1a\x07\x00" + bytes(40),
    "bz2": b"BZh91AY&SY" + bytes(40),
    "xz": b"\xfd7zXZ\x00" + bytes(40),
    "tiff": b"II*\x00\x08\x00\x00\x00" + bytes(40),
    "class": b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + bytes(40),
    "macho": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(40),
    "sqlite": b"SQLite format 3\x00" + bytes(100),
    "random": random.Random(9).randbytes(4096),
}


def _csv(rows: list[list[str]], *, encoding: str = "utf-8-sig", newline: str = "\n") -> bytes:
    return newline.join(",".join(row) for row in rows).encode(encoding) + newline.encode(encoding)


def _cfb(streams: list[str]) -> bytes:
    """A compound-file header with directory names: enough for a reader to take it for Office."""
    names = b"".join(name.encode("utf-16-le") + bytes(64 - 2 * len(name)) for name in streams)
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + names + bytes(1024)


def build() -> dict[str, bytes]:
    """File name → content; names say what each file is (their suffix is what the user would upload)."""
    files: dict[str, bytes] = {}
    good_xlsx = xlsx()
    good_csv = _csv([HEADER, data_row()])

    # Zip bombs and oversized zips.
    files["bomb-sheet-zeros.xlsx"] = xlsx(sheet=sheet_xml() + b" " * (40 * 1024 * 1024))
    files["bomb-shared-strings.xlsx"] = xlsx(shared=shared_strings(["x" * 1000] * 40_000))
    parts = base_parts()
    parts["xl/styles.xml"] = b"<styleSheet>" + b" " * (30 * 1024 * 1024) + b"</styleSheet>"
    files["bomb-styles.xlsx"] = zip_bytes(parts)
    parts = base_parts()
    parts["xl/media/image1.png"] = zip_bytes({"inner.xml": b"\0" * (20 * 1024 * 1024)})
    files["bomb-nested-zip.xlsx"] = zip_bytes(parts)
    parts = base_parts()
    parts.update({f"xl/media/p{i}.bin": b"" for i in range(1001)})
    files["many-entries.xlsx"] = zip_bytes(parts)
    parts = base_parts()
    parts["xl/worksheets/sheet1.xml"] = sheet_xml() + b"<!--" + b"a" * (12 * 1024 * 1024) + b"-->"
    files["bomb-comment.xlsx"] = zip_bytes(parts)

    # Sizes, CRCs and flags that lie.
    sheet = "xl/worksheets/sheet1.xml"
    for name, size in (("tiny", 10), ("zero", 0), ("huge", 0x7FFFFFFF), ("max", 0xFFFFFFFF)):
        packed = struct.pack("<I", size)
        files[f"lying-size-{name}.xlsx"] = patch_entry(
            good_xlsx, sheet, central={24: packed}, local={22: packed}
        )
        files[f"lying-size-central-only-{name}.xlsx"] = patch_entry(
            good_xlsx, sheet, central={24: packed}, local={}
        )
    files["lying-compressed-size.xlsx"] = patch_entry(
        good_xlsx, sheet, central={20: struct.pack("<I", 3)}, local={18: struct.pack("<I", 3)}
    )
    for part in (sheet, "xl/workbook.xml", "[Content_Types].xml", "_rels/.rels"):
        label = part.replace("/", "-").replace("[", "").replace("]", "")
        files[f"bad-crc-{label}.xlsx"] = patch_entry(
            good_xlsx, part, central={16: b"\xde\xad\xbe\xef"}, local={14: b"\xde\xad\xbe\xef"}
        )
        files[f"encrypted-entry-{label}.xlsx"] = patch_entry(
            good_xlsx, part, central={8: b"\x01\x00"}, local={6: b"\x01\x00"}
        )
        files[f"unknown-compression-{label}.xlsx"] = patch_entry(
            good_xlsx, part, central={10: b"\x63\x00"}, local={8: b"\x63\x00"}
        )
    files["bzip2-entries.xlsx"] = zip_bytes(base_parts(), compression=zipfile.ZIP_BZIP2)
    files["lzma-entries.xlsx"] = zip_bytes(base_parts(), compression=zipfile.ZIP_LZMA)
    duplicate = io.BytesIO()
    with zipfile.ZipFile(duplicate, "w") as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate it is asked to write
        for name, data in base_parts().items():
            archive.writestr(name, data)
        archive.writestr(sheet, sheet_xml(inline_row(1, HEADER), dimension="A1:E1"))
    files["duplicate-entry.xlsx"] = duplicate.getvalue()
    parts = base_parts()
    parts["../../../../tmp/evil.xml"] = b"<x/>"
    files["path-traversal-entry.xlsx"] = zip_bytes(parts)
    files["cfb-encrypted.xlsx"] = _cfb(["Root Entry", "EncryptionInfo", "EncryptedPackage"])
    files["cfb-encrypted.xls"] = _cfb(["Root Entry", "EncryptedPackage", "EncryptionInfo", "DataSpaces"])
    files["cfb-garbage.xls"] = _cfb(["Root Entry", "Workbook"])
    files["cfb-garbage.xlsx"] = _cfb(["Root Entry"])
    files["zip-not-a-workbook.xlsx"] = zip_bytes(
        {"word/document.xml": b"<w/>", "[Content_Types].xml": b"<T/>"}
    )
    files["zip-jar.xlsx"] = zip_bytes({"META-INF/MANIFEST.MF": b"Manifest-Version: 1.0\n"})
    files["zip-empty.xlsx"] = zip_bytes({})
    files["zip-magic-only.xlsx"] = b"PK\x03\x04" + bytes(30)
    files["zip-spanned-magic.xlsx"] = b"PK\x07\x08" + good_xlsx
    files["zip-no-sheets.xlsx"] = zip_bytes({k: v for k, v in base_parts().items() if "worksheets" not in k})
    for fraction in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95):
        files[f"truncated-{int(fraction * 100)}.xlsx"] = good_xlsx[: int(len(good_xlsx) * fraction)]
    files["truncated-minus-1.xlsx"] = good_xlsx[:-1]
    files["truncated-minus-eocd.xlsx"] = good_xlsx[:-22]
    files["truncated-csv-mid-character.csv"] = good_csv[:-4]
    files["truncated-quote.csv"] = _csv([HEADER]) + '坏行,"310120196005051230'.encode()

    # XML bombs and DTDs in every part a reader opens.
    for part in (
        sheet,
        "xl/workbook.xml",
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/_rels/workbook.xml.rels",
    ):
        label = part.replace("/", "-").replace("[", "").replace("]", "")
        for kind, dtd in (("laughs", LAUGHS), ("external", EXTERNAL), ("parameter", PARAMETER)):
            parts = base_parts()
            original = parts[part].decode()
            head, _, rest = original.partition("?>") if original.startswith("<?xml") else ("", "", original)
            prolog = head + "?>" if head else ""
            body = rest.replace("</", "&lol9;</", 1) if kind == "laughs" else rest
            body = body.replace("</", "&ext;</", 1) if kind == "external" else body
            parts[part] = (prolog + dtd + body).encode()
            files[f"xml-{kind}-{label}.xlsx"] = zip_bytes(parts)
    files["xml-laughs-shared-strings.xlsx"] = xlsx(
        sheet=shared_sheet([["0"]], dimension="A1"), shared=shared_strings(["&lol9;"], prolog=LAUGHS)
    ).replace(b"&amp;lol9;", b"&lol9;")
    shared = shared_strings(["姓名"], prolog=EXTERNAL).replace("姓名".encode(), b"&ext;")
    files["xml-external-shared-strings.xlsx"] = xlsx(
        sheet=shared_sheet([["0"]], dimension="A1"), shared=shared
    )
    files["xml-doctype-only.xlsx"] = xlsx(sheet=sheet_xml(prolog="<!DOCTYPE worksheet>"))
    files["xml-unclosed.xlsx"] = xlsx(sheet=sheet_xml()[:-20])
    files["xml-bad-utf8.xlsx"] = xlsx(sheet=sheet_xml().replace("坏行".encode(), b"\xff\xfe\xfd"))
    files["xml-nul-reference.xlsx"] = xlsx(sheet=sheet_xml().replace("坏行".encode(), b"&#0;"))
    files["xml-nul-byte.xlsx"] = xlsx(sheet=sheet_xml().replace("坏行".encode(), b"\x00"))
    files["xml-unbound-prefix-s-f.xlsx"] = xlsx(
        sheet=sheet_xml(inline_row(1, HEADER) + '<row r="2"><c r="A2"><s:f>1+1</s:f><v>2</v></c></row>')
    )
    files["xml-not-worksheet-root.xlsx"] = xlsx(sheet=b"<html><body>hello</body></html>")
    files["xml-binary-sheet.xlsx"] = xlsx(sheet=BINARIES["random"])

    # Declared extents (the <dimension> a reader may allocate from).
    for label, ref in (
        ("xfd1048576", "A1:XFD1048576"), ("xfd1", "A1:XFD1"), ("a1048576", "A1:A1048576"),
        ("zz100", "A1:ZZ100"), ("a0", "A0:B2"), ("xfe1", "A1:XFE1"), ("a99999999", "A1:A99999999"),
        ("lowercase", "a1:e2"), ("empty", ""), ("reversed", "E2:A1"), ("garbage", "hello"),
        ("negative", "A-1:B2"), ("three-parts", "A1:B2:C3"), ("dollar", "$A$1:$E$2"), ("cv2", "A1:CW2"),
    ):  # fmt: skip
        files[f"dimension-{label}.xlsx"] = xlsx(sheet=sheet_xml(dimension=ref))
    # Actual extents: cells far away, and references no reader should accept.
    for label, ref in (
        ("xfd1048576", "XFD1048576"), ("a1048576", "A1048576"), ("cw1", "CW1"), ("a0", "A0"), ("1a", "1A"),
        ("aaaa1", "AAAA1"), ("a1048577", "A1048577"), ("xfe1", "XFE1"), ("empty", ""), ("lower", "b2"),
        ("space", "B 2"), ("long-digits", "B00000002"), ("unicode", "Ｂ２"), ("minus", "B-2"),
    ):  # fmt: skip
        row = ref[1:] if ref[1:].isdigit() else "2"
        rows = (
            inline_row(1, HEADER) + f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row>'
        )
        files[f"cell-ref-{label}.xlsx"] = xlsx(sheet=sheet_xml(rows, dimension=None))
    for label, number in (
        ("zero", "0"),
        ("negative", "-1"),
        ("huge", "1048577"),
        ("text", "x"),
        ("float", "2.5"),
    ):
        rows = inline_row(1, HEADER) + f'<row r="{number}"><c t="inlineStr"><is><t>x</t></is></c></row>'
        files[f"row-number-{label}.xlsx"] = xlsx(sheet=sheet_xml(rows, dimension=None))
    files["cell-outside-its-row.xlsx"] = xlsx(
        sheet=sheet_xml(
            inline_row(1, HEADER) + '<row r="2"><c r="A7" t="inlineStr"><is><t>x</t></is></c></row>'
        )
    )
    files["cells-without-refs-too-wide.xlsx"] = xlsx(
        sheet=sheet_xml(
            inline_row(1, HEADER) + inline_row(2, ["x"] * 101, refs=False).replace("<row>", "<row>")
        )
    )

    # Too many columns, huge cells.
    wide = [*HEADER, *(f"列{i}" for i in range(120))]
    files["too-many-columns.xlsx"] = xlsx(
        sheet=sheet_xml(inline_row(1, wide) + inline_row(2, data_row()), dimension=None)
    )
    files["too-many-columns.csv"] = _csv([wide, data_row()])
    files["too-many-columns-later-row.csv"] = _csv([HEADER, [*data_row(), *(["x"] * 300)]])
    files["many-empty-columns.csv"] = _csv([HEADER, data_row() + [""] * 5000 + ["x"]])
    huge = "长" * 6000
    files["huge-cell-inline.xlsx"] = xlsx(sheet=sheet_xml(inline_row(1, HEADER) + inline_row(2, [huge])))
    files["huge-cell-value.xlsx"] = xlsx(
        sheet=sheet_xml(inline_row(1, HEADER) + f'<row r="2"><c r="A2"><v>{"9" * 6000}</v></c></row>')
    )
    files["huge-cell-shared.xlsx"] = xlsx(
        sheet=shared_sheet([["0", "1"], ["2", "2"]]), shared=shared_strings(["姓名", "身份证号", huge])
    )
    files["huge-cell.csv"] = _csv([HEADER, ["坏行", huge]])
    files["huge-cell-quoted-multiline.csv"] = _csv([HEADER]) + ('坏行,"' + "行\n" * 20_000 + '"\n').encode()
    files["very-long-line-one-field.csv"] = b"a" * (8 * 1024 * 1024)
    files["very-long-line-many-fields.csv"] = _csv([HEADER]) + b"x," * 400_000 + b"\n"
    files["very-long-header.csv"] = ("姓名" * 10_000 + ",身份证号\n").encode() + _csv([data_row()])

    # Shared strings that point nowhere.
    for label, value in (
        ("out-of-range", "99"),
        ("negative", "-1"),
        ("text", "abc"),
        ("huge", "99999999999"),
    ):
        files[f"shared-string-{label}.xlsx"] = xlsx(
            sheet=shared_sheet([["0", "1"], [value, "0"]]), shared=shared_strings(["姓名", "身份证号"])
        )
    files["shared-string-without-table.xlsx"] = xlsx(sheet=shared_sheet([["0", "1"]], dimension="A1:B1"))

    # Formulas, in every spelling a reader accepts.
    plain_rows = inline_row(1, HEADER)
    formula_cells = {
        "f": '<c r="C2"><f>1+1</f><v>2</v></c>',
        "f-empty": '<c r="C2"><f/><v>2</v></c>',
        "f-attrs": '<c r="C2"><f aca="false" ca="1">NOW()</f><v>1</v></c>',
        "f-shared-master": '<c r="C2"><f t="shared" ref="C2:C3" si="0">A2&amp;B2</f><v>x</v></c>',
        "f-shared-child": '<c r="C2"><f t="shared" si="0"/><v>x</v></c>',
        "f-array": '<c r="C2"><f t="array" ref="C2">SUM(A1:A2)</f><v>0</v></c>',
        "f-datatable": '<c r="C2"><f t="dataTable" ref="C2" dt2D="1" dtr="1" r1="A1" r2="B1"/><v>0</v></c>',
        "f-str": '<c r="C2" t="str"><f>"13800000000"</f><v>13800000000</v></c>',
        "f-hyperlink": '<c r="A2" t="str"><f>HYPERLINK("http://evil.example","点我")</f><v>点我</v></c>',
        "f-dde": '<c r="A2" t="str"><f>cmd|\' /C calc\'!A0</f><v>0</v></c>',
        "f-no-value": '<c r="C2"><f>1+1</f></c>',
    }
    for label, cell in formula_cells.items():
        files[f"formula-{label}.xlsx"] = xlsx(sheet=sheet_xml(plain_rows + f'<row r="2">{cell}</row>'))
    prefixed = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN_NS}"><x:sheetData><x:row r="1">'
        '<x:c r="A1" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c></x:row><x:row r="2"><x:c r="A2">'
        "<x:f>1+1</x:f><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>"
    ).encode()
    files["formula-x-prefix.xlsx"] = xlsx(sheet=prefixed)
    files["formula-s-prefix-on-element.xlsx"] = xlsx(
        sheet=sheet_xml(plain_rows + f'<row r="2"><c r="A2"><s:f xmlns:s="{MAIN_NS}">1+1</s:f></c></row>')
    )
    files["formula-s-prefix-on-root.xlsx"] = xlsx(
        sheet=sheet_xml(
            plain_rows + '<row r="2"><c r="A2"><s:f>1+1</s:f></c></row>', root_attrs=f' xmlns:s="{MAIN_NS}"'
        )
    )
    files["formula-other-namespace.xlsx"] = xlsx(
        sheet=sheet_xml(plain_rows + '<row r="2"><c r="A2"><o:f xmlns:o="urn:other">1+1</o:f></c></row>')
    )
    files["formula-default-namespace-switch.xlsx"] = xlsx(
        sheet=sheet_xml(plain_rows + '<row r="2"><c r="A2"><f xmlns="urn:other">1+1</f></c></row>')
    )
    parts = base_parts()
    parts["xl/worksheets/sheet2.xml"] = sheet_xml(plain_rows + '<row r="2"><c r="A2"><f>1</f></c></row>')
    files["formula-in-second-sheet.xlsx"] = zip_bytes(parts)
    # Text that looks like a formula is text: it is read, and these rows are wrong for other reasons.
    for label, text in (
        ("equals", "=1+1"),
        ("plus", "+1"),
        ("minus", "-1"),
        ("at", "@SUM(1)"),
        ("dde", "=cmd|' /C calc'!A0"),
    ):
        files[f"formula-text-{label}.csv"] = _csv([HEADER, [text, bad_id(), "", "户籍", text]])
        files[f"formula-text-{label}.xlsx"] = xlsx(
            sheet=sheet_xml(inline_row(1, HEADER) + inline_row(2, [text, bad_id(), "", "户籍", text]))
        )

    # Binaries under a spreadsheet's name.
    for index, (label, data) in enumerate(BINARIES.items()):
        # Every binary as .xlsx, every second one as .csv too, every fourth as .xls.
        for suffix in (".xlsx", ".csv", ".xls")[: 1 + (index % 2 == 0) + (index % 4 == 0)]:
            files[f"binary-{label}{suffix}"] = data
    files["zip-of-png.xlsx"] = zip_bytes({"image.png": BINARIES["png"]})

    # csv in odd encodings and with odd bytes.
    table = [HEADER, data_row()]
    files["gbk.csv"] = _csv(table, encoding="gbk")
    files["gbk-invalid-tail.csv"] = _csv(table, encoding="gbk") + b"\x81\xff\xfe"
    files["gb18030-four-byte.csv"] = _csv([HEADER, ["𠀀坏行", bad_id()]], encoding="gb18030")
    files["utf16-le-bom.csv"] = _csv(table, encoding="utf-16")
    files["utf16-be-bom.csv"] = b"\xfe\xff" + _csv(table, encoding="utf-16-be")
    files["utf16-le-no-bom.csv"] = _csv(table, encoding="utf-16-le")
    files["utf16-odd-length.csv"] = _csv(table, encoding="utf-16") + b"\x00"
    files["utf16-lone-surrogate.csv"] = _csv(table, encoding="utf-16") + b"\x00\xd8\x41\x00"
    files["utf32.csv"] = _csv(table, encoding="utf-32")
    files["utf8-bom-invalid-bytes.csv"] = (
        b"\xef\xbb\xbf" + _csv(table, encoding="utf-8") + b"\xc3\x28\xa0\xa1"
    )
    files["utf8-overlong.csv"] = _csv(table, encoding="utf-8") + b"\xc0\xaf\xe0\x80\xaf"
    files["mixed-utf8-gbk.csv"] = _csv([HEADER], encoding="utf-8") + "坏行,1\n".encode("gbk") * 3000
    files["latin1.csv"] = _csv([HEADER], encoding="utf-8") + "Müller,1\n".encode("latin-1")
    files["bom-only.csv"] = b"\xef\xbb\xbf"
    files["only-newlines.csv"] = b"\n" * 5000
    files["only-commas.csv"] = b",,,,\n" * 100
    files["cr-line-endings.csv"] = _csv(table, newline="\r")
    files["nul-in-cell.csv"] = _csv([HEADER]) + "坏\x00行,1\n".encode()
    files["nul-after-sample.csv"] = _csv([HEADER]) + _csv([data_row(i) for i in range(2000)]) + b"\x00\n"
    files["control-characters.csv"] = _csv(
        [HEADER, ["\x01\x02\x1b[31m坏行", bad_id(), "\x7f", "户籍", "\x0b"]]
    )
    files["bidi-override.csv"] = _csv([HEADER, ["\u202e坏行", bad_id()]])
    files["unbalanced-quotes.csv"] = _csv([HEADER]) + b'"a""b,"c\n"d,e"f"g\n'
    files["semicolons.csv"] = _csv([HEADER], encoding="utf-8").replace(b",", b";") + b"a;b\n"

    # Headers: duplicate, missing, misplaced.
    for suffix, make in ((".csv", lambda rows: _csv(rows)), (".xlsx", _sheet_file)):
        files[f"header-duplicate{suffix}"] = make([[*HEADER, *HEADER], data_row() * 2])
        files[f"header-missing{suffix}"] = make([data_row(), data_row(1)])
        files[f"header-blank{suffix}"] = make([["", "", ""], data_row()])
        files[f"header-only{suffix}"] = make([HEADER])
        files[f"header-whitespace{suffix}"] = make([[" 姓 名 ", "\u3000身份证号\u3000"], data_row()])
        files[f"header-after-blank-rows{suffix}"] = make([[], [], HEADER, data_row()])
        files[f"header-id-twice{suffix}"] = make([["姓名", "身份证号", "身份证", "证件号码"], data_row()])
        files[f"header-numbers{suffix}"] = make([["1", "2", "3"], ["4", "5", "6"]])
    return files


def _sheet_file(rows: list[list[str]]) -> bytes:
    body = "".join(inline_row(r, row) for r, row in enumerate(rows, start=1) if row)
    return xlsx(sheet=sheet_xml(body, dimension=None))


def write(folder: Path) -> list[Path]:
    """Write the corpus into `folder`; the paths in a stable order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in sorted(build().items()):
        path = folder / name
        path.write_bytes(data)
        paths.append(path)
    return paths
