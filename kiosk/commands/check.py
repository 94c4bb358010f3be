"""`kiosk check`: validate the document, prompts and intent files; exit 1 on any error."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: the content paths come from the configuration (`--config`)."""


def run(args: argparse.Namespace) -> int:
    from kiosk.check import DOCUMENT_GRADE_LIMIT, check_content
    from kiosk.config import load_config
    from kiosk.content_yaml import ContentFileError
    from kiosk.document import load_document
    from kiosk.readability import grade

    config = load_config(args.config)
    problems = check_content(config.content, config.matcher)
    for problem in problems:
        print(problem)
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    try:
        level = f"grade {grade(load_document(config.content.document, []).text):.1f}"
    except ContentFileError:
        level = "not measured"
    print(
        f"kiosk check: {errors} error(s), {warnings} warning(s); document reading level "
        f"{level} (limit {DOCUMENT_GRADE_LIMIT})"
    )
    return 1 if errors else 0
