"""Run a button's action from a terminal: python -m macros 刷新 党建工作台账.xlsm

Where Excel can be driven (Windows, macOS), the workbook is opened in Excel and the very
same entry point runs on it (xlwings' `set_mock_caller`, as in its quickstart). Elsewhere
(Linux, a PC with only WPS) the action runs on the closed file through `sync.py`.
"""

from __future__ import annotations

import sys

from workbook import xlsm

FILE_COMMANDS = {"validate": "validate", "refresh": "refresh", "calendar": "calendar"}


def excel_available() -> bool:
    if sys.platform not in ("win32", "darwin"):
        return False
    import xlwings as xw

    try:
        return xw.apps.count >= 0
    except Exception:  # no Excel installed or it cannot be started: use the file instead
        return False


def main(argv: list[str]) -> int:
    captions = {action.caption: action for action in xlsm.ACTIONS} | {a.function: a for a in xlsm.ACTIONS}
    if len(argv) < 2 or argv[0] not in captions:
        print("用法：python -m macros 动作 工作簿路径；动作可以是：" + "、".join(a.caption for a in xlsm.ACTIONS))
        return 2
    action, path = captions[argv[0]], argv[1]
    if excel_available():
        return _in_excel(action, path)
    return _on_file(action, path, argv[2:])


def _in_excel(action: xlsm.Action, path: str) -> int:
    """Open the workbook in Excel and run the button's own entry point on it (xlwings' mock caller)."""
    import xlwings as xw

    import macros
    from workbook import errors
    from workbook.reader import check_file

    try:
        xw.Book(str(check_file(path))).set_mock_caller()
    except errors.WorkbenchError as exc:
        print(exc.user_message())
        return exc.exit_code
    getattr(macros, action.function)()
    return errors.EXIT_OK


def _on_file(action: xlsm.Action, path: str, rest: list[str]) -> int:
    """The same action on the closed file, through the command line's handlers."""
    if action.function == "reports":
        import reports

        return reports.main([path, *rest])
    import sync

    if action.function in ("forms", "collect"):
        return sync.main([action.function, path, *rest])
    return sync.main([FILE_COMMANDS[action.function], path, *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
