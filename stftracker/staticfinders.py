"""Serve plotly.min.js from the installed plotly package as ``vendor/plotly.min.js``.

The file is not committed: this finder hands it to ``collectstatic`` (and to whitenoise and the
development server, which use the finders), so it is served once, as a static file with long
cache headers, and never inlined in a page.
"""
from pathlib import Path

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PREFIX = "vendor"
FILE_NAME = "plotly.min.js"
PUBLIC_PATH = f"{PREFIX}/{FILE_NAME}"


def package_data_dir():
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data"


class PlotlyFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.storage = FileSystemStorage(location=str(package_data_dir()))
        self.storage.prefix = PREFIX  # collectstatic copies it to STATIC_ROOT/vendor/

    def check(self, **kwargs):
        if not (package_data_dir() / FILE_NAME).is_file():
            return [Error(f"{FILE_NAME} is missing from the installed plotly package.", id="stftracker.E001")]
        return []

    def find(self, path, find_all=False, **kwargs):
        find_all = kwargs.get("all", find_all)
        if path.replace("\\", "/") != PUBLIC_PATH:
            # A miss is an empty list either way, as Django's finders answer: None would be taken
            # for a match by staticfiles.finders.find, and whitenoise would fail on it with a 500.
            return []
        match = str(package_data_dir() / FILE_NAME)
        return [match] if find_all else match

    def list(self, ignore_patterns):
        yield FILE_NAME, self.storage
