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



class HeaderError(DomainError):
    """The header is not the expected one; lists every missing, unknown and repeated column."""

    def __init__(self, *, missing=(), unknown=(), repeated=()):
        self.missing, self.unknown, self.repeated = list(missing), list(unknown), list(repeated)
        super().__init__("; ".join(error.message for error in self.errors()))

    def errors(self):
        found = []
        for name in self.missing:
            found.append(RowError(1, name, "", f"Missing column {name!r}."))
        for name in self.unknown:
            found.append(RowError(1, name, name, f"Unknown column {name!r}."))
        for name in self.repeated:
            found.append(RowError(1, name, name, f"Column {name!r} appears more than once."))
        return found

