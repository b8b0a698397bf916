"""Optional dependencies, with a message that says what to install."""

import importlib

PIP = ("pip install --index-url file:///opt/pypi/simple --extra-index-url "
       "file:///opt/pypi-more/simple --find-links /opt/wheels")


def require(module: str, package: str = None):
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(f"realign_reader needs the Python package {package or module!r} for"
                          f" this: pip install {package or module} (offline machines: {PIP}"
                          f" {package or module})") from e
