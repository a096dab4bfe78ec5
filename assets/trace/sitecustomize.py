"""queuescope trace: start the tracing shim, then hand over to the
sitecustomize this one shadows (if any), as if ours were not there.

queuescope puts this file's directory first on PYTHONPATH for the traced
program only. The directory is taken off sys.path and PYTHONPATH again at
once, so the program and any process it starts see the paths they would
have seen without queuescope.
"""

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


def _forget_our_directory():
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
    parts = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    rest = [p for p in parts if p and os.path.abspath(p) != _HERE]
    if rest:
        os.environ["PYTHONPATH"] = os.pathsep.join(rest)
    else:
        os.environ.pop("PYTHONPATH", None)


def _start():
    if "QUEUESCOPE_TRACE" not in os.environ:
        return
    # The shim lives in queuescope's own cache directory: keep its compiled
    # copy there even when the program's bytecode is not written.
    dont_write = sys.dont_write_bytecode
    sys.dont_write_bytecode = False
    try:
        import _queuescope_trace
    except Exception as e:  # never stop the program because of the tracer
        sys.stderr.write("queuescope: tracing is off: %s\n" % (e,))
        return
    finally:
        sys.dont_write_bytecode = dont_write
    _queuescope_trace.activate()


def _chain():
    import importlib

    ours = sys.modules.pop("sitecustomize", None)
    try:
        importlib.import_module("sitecustomize")
    except ImportError as e:
        if e.name != "sitecustomize":
            raise
        if ours is not None:
            sys.modules["sitecustomize"] = ours


_start()
_forget_our_directory()
_chain()
