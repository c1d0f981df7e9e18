"""Run a button's action from a terminal: python -m macros 刷新 党建工作台账.xlsm

Where Microsoft Excel can be driven (Windows, macOS), the workbook is opened in Excel and the
very same entry point runs on it (xlwings' `set_mock_caller`, as in its quickstart), after the
first-run checks of `macros.firstrun`. Elsewhere (Linux, a PC with only WPS, or where WPS took
over Excel's registration) the action runs on the closed file through `sync.py`.

Two more commands: `python -m macros 自检 [文件夹]` checks the buttons on this PC with a demo
workbook (`macros.selftest`); `python -m macros 修复按钮 台账路径` makes a workbook from another
PC fit this one (`macros.repair`).
"""

from __future__ import annotations

import sys

from workbook import xlsm

from . import firstrun

FILE_COMMANDS = {"validate": "validate", "refresh": "refresh", "calendar": "calendar"}
SELFTEST, REPAIR = "自检", "修复按钮"


def main(argv: list[str]) -> int:
    if argv and argv[0] == SELFTEST:
        from . import selftest

        return selftest.main(argv[1:])
    if argv and argv[0] == REPAIR:
        from . import repair

        return repair.main(argv[1:])
    captions = {action.caption: action for action in xlsm.ACTIONS} | {a.function: a for a in xlsm.ACTIONS}
    if len(argv) < 2 or argv[0] not in captions:
        print("用法：python -m macros 动作 工作簿路径；动作可以是：" + "、".join(a.caption for a in xlsm.ACTIONS))
        print(f"检查这台电脑上的按钮：python -m macros {SELFTEST} [文件夹]；修复从别的电脑拿来的台账：python -m macros {REPAIR} 台账路径")
        return 2
    action, path = captions[argv[0]], argv[1]
    status = firstrun.excel_status()  # Microsoft Excel itself, from the registry; starts nothing
    if status == "excel":
        return _in_excel(action, path)
    if status == "wps":
        print(firstrun.excel_problem(status).line())
    return _on_file(action, path, argv[2:])


def _in_excel(action: xlsm.Action, path: str) -> int:
    """Open the workbook in Excel and run the button's own entry point on it (xlwings' mock caller)."""
    import xlwings as xw

    import macros
    from workbook import errors
    from workbook.reader import check_file

    try:
        checked = check_file(path)
    except errors.WorkbenchError as exc:
        print(exc.user_message())
        return exc.exit_code
    problems = firstrun.workbook_problems(checked)
    for problem in problems:
        print(problem.line())
    if any(problem.blocking for problem in problems):
        return errors.EXIT_CANNOT_RUN
    xw.Book(str(checked)).set_mock_caller()
    done = getattr(macros, action.function)()
    if done is not None:
        print(done.message)
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
