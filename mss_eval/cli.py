"""The ``mss-eval`` command line.

Every subcommand is a module in :mod:`mss_eval.commands` with a one-line ``HELP``, a longer
``DESCRIPTION`` written for a researcher, ``add_arguments(parser)`` and ``run(args) -> int``. The
modules import their heavy dependencies inside ``run`` so that ``mss-eval --help`` stays fast.

Exit codes: 0 done, 1 the data or a report has problems (printed as sentences), 2 a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .problems import StudyError

#: subcommand -> module in mss_eval.commands, in the order --help lists them.
COMMANDS = {
    "init": "init",
    "template": "template",
    "codebook": "codebook",
    "validate": "validate",
    "map": "map",
    "demo": "demo",
    "render": "render",
    "import-qda": "import_qda",
    "export-codebook": "export_codebook",
    "export-qda": "export_qda",
    "check-report": "check_report",
    "check-disclosure": "check_disclosure",
    "reproduce": "reproduce",
    "export": "export",
    "clear-cache": "clear_cache",
}


def _available() -> dict[str, object]:
    found = {}
    for name, module in COMMANDS.items():
        try:
            found[name] = importlib.import_module(f"mss_eval.commands.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"mss_eval.commands.{module}":
                raise
    return found


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mss-eval",
        description=(
            "Werkbank voor de evaluatie van maatschappelijke steunsystemen (MSS): gegevens "
            "valideren, analyseren en rapporten maken per regio, per ronde en over rondes.\n"
            "Workbench for evaluating community support systems: validate data, analyse it and "
            "render reports per region, per round and across rounds."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

    parser.add_argument("--version", action="version", version=f"mss-eval {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _available().items():
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except StudyError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except BrokenPipeError:
        # output piped into e.g. `head`: stop quietly, as Unix tools do
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("Afgebroken. / Interrupted.", file=sys.stderr)
        return 130
    except (FileNotFoundError, PermissionError, IsADirectoryError, NotADirectoryError) as exc:
        if os.environ.get("MSS_EVAL_DEBUG"):
            raise
        print(f"{exc.strerror or exc}: {exc.filename}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
