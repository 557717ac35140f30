"""The product's domain errors, and the errors a file, a row or a cell can raise while being
read. Pure: no database."""
from dataclasses import asdict, dataclass


class DomainError(ValueError):
    """A request the product refuses for a reason its message explains to the user.

    The API answers one with a 400 and its message (``common.api.exception_handler``);
    anything else is a bug and stays a 500.
    """


class CellError(DomainError):
    """A cell's value cannot be used; the message says why (without naming row or column)."""


class FileError(DomainError):
    """The file as a whole cannot be read (empty, not CSV/XLSX, undecodable)."""


@dataclass
class RowError:
    row: int | None
    column: str
    value: str
    message: str

    def to_dict(self):
        return asdict(self)

    def __str__(self):
        where = f"row {self.row}" if self.row else "file"
        column = f", column {self.column}" if self.column else ""
        value = f" ({self.value!r})" if self.value != "" else ""
        return f"{where}{column}{value}: {self.message}"


def column_letter(index: int) -> str:
    """A spreadsheet's letters for the column at ``index`` (counted from 0): A, B, ..., Z, AA, AB."""
    if index < 0:
        raise ValueError(f"A column index cannot be negative ({index}).")
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def and_join(items) -> str:
    """``a``, ``a and b`` or ``a, b and c``."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def column_letters(indexes) -> str:
    """``B``, ``B and D`` or ``B, D and F``: the letters of the columns at ``indexes``."""
    return and_join(column_letter(index) for index in indexes)


class HeaderError(DomainError):
    """The header is not the expected one; lists every missing, unknown and repeated column.

    ``repeated`` holds ``(name, [positions])`` pairs (positions counted from 0), as
    :func:`common.tabular.repeated_columns` finds them, or bare names. ``row`` is the header's
    row (1, unless a title block stands above it).
    """

    def __init__(self, *, missing=(), unknown=(), repeated=(), row=1):
        self.missing, self.unknown, self.row = list(missing), list(unknown), row
        self.repeated = [(item, []) if isinstance(item, str) else (item[0], list(item[1])) for item in repeated]
        super().__init__("; ".join(error.message for error in self.errors()))

    @staticmethod
    def repeated_message(name, positions) -> str:
        where = f" (columns {column_letters(positions)})" if positions else ""
        return (f"Column {name!r} appears more than once{where}: each column may appear only once, "
                f"so the file cannot say which one holds the values.")

    def errors(self):
        found = []
        for name in self.missing:
            found.append(RowError(self.row, name, "", f"Missing column {name!r}."))
        for name in self.unknown:
            found.append(RowError(self.row, name, name, f"Unknown column {name!r}."))
        for name, positions in self.repeated:
            found.append(RowError(self.row, name, name, self.repeated_message(name, positions)))
        return found
