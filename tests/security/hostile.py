"""Files built to exhaust a worker that reads uploads carelessly, made in memory (none committed):
each is what a security probe sent to ``POST /api/v1/uploads/``. Used by
tests/security/test_hostile_files.py and bench/intake_memory.py."""
import io
import zipfile

FINANCE_HEADER = "org_code,period,plan_ytd,actual_ytd,forecast_outturn"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets><sheet name="{{sheet}}" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""


def column_letters(index: int) -> str:
    letters, number = "", index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def inline_row(number: int, values) -> str:
    """A sheet row of inline strings (text) and numbers."""
    cells = []
    for index, value in enumerate(values):
        ref = f"{column_letters(index)}{number}"
        if isinstance(value, str):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def sheet_xml(rows, *, dimension: str | None = None, prologue: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prologue}<worksheet xmlns="{MAIN}">{dim}'
            f'<sheetData>{"".join(rows)}</sheetData></worksheet>')


def xlsx(sheet, shared_strings=None, *, level: int = 9, sheet_name: str = "Sheet1") -> bytes:
    """A workbook of one sheet named ``sheet_name`` (its XML as text, or as an iterable of byte
    chunks written as they come), with shared strings (text or chunks) if given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(sheet=sheet_name))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        for name, part in (("xl/worksheets/sheet1.xml", sheet), ("xl/sharedStrings.xml", shared_strings)):
            if part is None:
                continue
            if isinstance(part, str):
                archive.writestr(name, part)
                continue
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as target:
                for chunk in part:
                    target.write(chunk)
    return buffer.getvalue()


# --- The probe's files ---------------------------------------------------------------------------


def bomb_shared_string(size: int = 1024 ** 3) -> bytes:
    """~1 MB of XLSX holding one shared string of ``size`` bytes (1 GiB)."""
    def chunks():
        yield f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode()
        block = b"A" * (1024 * 1024)
        for _ in range(size // len(block)):
            yield block
        yield b"</t></si></sst>"

    sheet = sheet_xml(['<row r="1"><c r="A1" t="s"><v>0</v></c></row>'])
    return xlsx(sheet, chunks(), level=1)


def padded_dimension() -> bytes:
    """A small XLSX whose sheet declares ``A1:XFD1048576`` and fills its last row's cells."""
    rows = [inline_row(1, FINANCE_HEADER.split(","))]
    rows += [inline_row(number, ["RAA", "2016-04", -1, -1, -1]) for number in range(2, 400)]
    rows.append(f'<row r="1048576">{"".join(f"<c><v>{n}</v></c>" for n in range(16384))}</row>')
    return xlsx(sheet_xml(rows, dimension="A1:XFD1048576"))


def dense_sheet(rows: int = 200_000) -> bytes:
    """A dense XLSX of ~1.7 MB: a finance header and ``rows`` full rows of varied figures."""
    def chunks():
        yield sheet_xml([inline_row(1, FINANCE_HEADER.split(","))]).split("</sheetData>")[0].encode()
        for number in range(2, rows + 2):
            yield (f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>R{number % 997:03d}</t></is></c>'
                   f'<c r="B{number}" t="inlineStr"><is><t>2016-{number % 12 + 1:02d}</t></is></c>'
                   f'<c r="C{number}"><v>-{number * 7919 % 1000003}</v></c><c r="D{number}"><v>-{number * 104729 % 999983}</v></c>'
                   f'<c r="E{number}"><v>{number * 31 % 65537}</v></c></row>').encode()
        yield b"</sheetData></worksheet>"

    return xlsx(chunks())


def wide_dense_sheet(columns: int = 400, rows: int = 5_000) -> bytes:
    """An XLSX of ``rows`` full rows of ``columns`` numbers (as many cells as a sheet may have
    columns and more): reading stops at the cell limit."""
    def chunks():
        yield sheet_xml([]).split("</sheetData>")[0].encode()
        for _number in range(rows):
            yield ("<row>" + "<c><v>1</v></c>" * columns + "</row>").encode()
        yield b"</sheetData></worksheet>"

    return xlsx(chunks())


def doctype_sheet() -> bytes:
    """An XLSX whose sheet declares a DOCTYPE (and an entity)."""
    prologue = '<!DOCTYPE worksheet [<!ENTITY joke "ha">]>'
    rows = [inline_row(1, FINANCE_HEADER.split(",")), inline_row(2, ["RAA", "2016-04", -1, -1, -1])]
    return xlsx(sheet_xml(rows, prologue=prologue))


def million_row_csv(rows: int = 1_000_000) -> bytes:
    """A CSV of a finance header and ``rows`` bad rows (4 bytes each)."""
    return (FINANCE_HEADER + "\n" + "A,1\n" * rows).encode()


def bad_rows_csv(rows: int) -> bytes:
    """A CSV of a finance header and ``rows`` rows, each with a bad money cell."""
    return (FINANCE_HEADER + "\n" + "RHOME,2016-04,lots,-1,-1\n" * rows).encode()


def wide_header_csv(columns: int = 2_000_000) -> bytes:
    """A CSV whose header has ``columns`` unknown columns."""
    return (",".join("x" for _ in range(columns)) + "\nRAA\n").encode()
