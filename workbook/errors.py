"""The project's exceptions: misuse of the tool, never bad data in the workbook.

Bad data is reported as findings (`workplan.findings`). These are raised when the tool
cannot run at all: no such file, the wrong kind of file, a workbook open in Excel. Each
carries the path and a Chinese message that says what to do; the command line, the
buttons and the scheduler print `user_message()` and exit with `exit_code`.
"""

from __future__ import annotations

import errno
from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_CANNOT_RUN = 2
EXIT_BUSY = 3


class WorkbenchError(Exception):
    """Base of all our exceptions: a Chinese message and an exit code."""

    template = "无法处理工作簿 {path}。"
    exit_code = EXIT_CANNOT_RUN

    def __init__(self, path: str | Path = "", detail: str = "", technical: str = ""):
        self.path = str(path)
        self.detail = detail  # Chinese, shown to the user inside the message
        self.technical = technical  # for the log only: exception names, part names
        super().__init__(self.user_message() + (f" [{technical}]" if technical else ""))

    def user_message(self) -> str:
        text = self.template.format(path=self.path, detail=self.detail)
        return text


def os_reason(exc: OSError) -> str:
    """What went wrong with a file operation, in words a teacher understands."""
    reasons = {
        errno.ENOSPC: "磁盘空间不足",
        errno.EDQUOT: "磁盘空间不足（超出配额）",
        errno.EACCES: "没有写入权限，或文件正被其他程序占用",
        errno.EPERM: "没有写入权限，或文件正被其他程序占用",
        errno.EROFS: "磁盘是只读的",
        errno.ENOENT: "文件或文件夹不存在",
        errno.ENAMETOOLONG: "文件名太长",
        errno.ENOTDIR: "路径中有一处应是文件夹，却是文件",
        errno.EEXIST: "同名的文件已存在",
        errno.ELOOP: "路径中有指向自身或不存在目标的快捷方式（符号链接）",
        errno.EISDIR: "应是文件的地方是一个文件夹",
        errno.EIO: "磁盘读写出错",
    }
    return reasons.get(exc.errno, "读写文件时出错")


def is_ours(exc: BaseException) -> bool:
    """Ctrl+C, sys.exit and a closing generator are ours to pass on; every other exception is a failure to report."""
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit))


def technical(exc: BaseException) -> str:
    """One line for the log: the exception's class and text."""
    return f"{type(exc).__name__}: {exc}"


class NoSuchFile(WorkbenchError):
    """The path does not exist."""

    template = "找不到文件：{path}。请检查路径和文件名是否正确（可以把文件拖进命令行窗口来得到完整路径）。"


class NotAFile(WorkbenchError):
    """The path is a folder, not a workbook."""

    template = "{path} 是一个文件夹，不是工作簿。请给出总台账工作簿本身的路径，例如 {path}\\党建工作台账.xlsx。"


class WrongFileType(WorkbenchError):
    """A file of a kind we do not read (.xls, .et, .csv, ...)."""

    template = (
        "{path} 是{detail}，本程序只能读取 .xlsx 或 .xlsm 工作簿。"
        "请用 Excel 或 WPS 打开它，选择“另存为”→“Excel 工作簿(*.xlsx)”，再用另存后的文件。"
    )


class EncryptedWorkbook(WorkbenchError):
    """The workbook is protected by a password to open."""

    template = (
        "{path} 设置了打开密码，程序无法读取。"
        "请在 Excel 或 WPS 中打开它，在“文件”→“信息”（WPS：“文件”→“文档加密”）中取消打开密码后保存，再运行。"
    )


class CorruptWorkbook(WorkbenchError):
    """The file is not a readable workbook (damaged, truncated, or another format renamed)."""

    template = (
        "{path} 已损坏或不是 Excel 工作簿（{detail}）。"
        "请用 Excel 或 WPS 打开确认；如无法打开，请从“备份”文件夹中取最近的一份副本。"
    )


class MissingSheets(WorkbenchError):
    """Sheets or columns of the contract are missing: the workbook cannot be processed."""

    template = "工作簿 {path} 缺少必需的工作表或列，没有写入任何内容：\n{detail}"


class WorkbookOpen(WorkbenchError):
    """The workbook is open in Excel or WPS; writing now would go behind their back."""

    template = (
        "工作簿 {path} 正在 Excel 或 WPS 中打开，程序没有写入任何内容。"
        "请先保存并关闭它再运行；或在打开的工作簿里点“刷新”按钮。"
    )
    exit_code = EXIT_BUSY


class WorkbookBusy(WorkbenchError):
    """Another refresh of the same workbook is running."""

    template = "另一个刷新正在处理 {path}，请稍等一两分钟后再试。"
    exit_code = EXIT_BUSY


class WriteFailed(WorkbenchError):
    """The new file did not read back as expected; the original was left untouched."""

    template = "写入 {path} 时检查未通过（{detail}），原工作簿没有改动。请把日志文件发给维护人员。"


class NotAFolder(WorkbenchError):
    """The roll-up was given a file, not a folder."""

    template = "{path} 不是文件夹。汇总需要一个放着各支部总台账的文件夹，例如：python reports.py rollup 各支部台账"


class NoWorkbooks(WorkbenchError):
    """The folder holds no branch workbook."""

    template = "文件夹 {path} 中没有找到总台账（.xlsx 或 .xlsm 文件）。请把各支部的总台账复制到这个文件夹后再运行。"


class ReportOpen(WorkbenchError):
    """A report file to be replaced is open in another program."""

    template = "报表文件 {path} 正在被其他程序（Excel、WPS、浏览器或 PDF 阅读器）打开，无法覆盖。请关闭它后再运行。"
    exit_code = EXIT_BUSY


class OutNotAFolder(WorkbenchError):
    """--out names a file where a folder for the report is needed."""

    template = "{path} 是一个文件，不是文件夹。--out 请给出存放报表的文件夹，例如 --out 报表；文件名由程序按支部名称和年度起。"


class ExportOutNotAFolder(OutNotAFolder):
    """--out of an export names a file where a folder is needed."""

    template = "{path} 是一个文件，不是文件夹。--out 请给出存放导出文件的文件夹，例如 --out 导出数据；文件名由程序按表名起。"


class PdfFailed(WorkbenchError):
    """LibreOffice did not turn the workbook into a PDF."""

    template = (
        "PDF 没有生成：LibreOffice 转换 {path} 时出错（{detail}）。"
        "工作簿和网页版报表不受影响；可以用 Excel 或 WPS 打开报表工作簿后“另存为 PDF”。"
    )


class FormError(WorkbenchError):
    """Forms cannot be handed out or collected: a folder or a rater list is not usable."""

    template = "{detail}"


class ReportWriteFailed(WorkbenchError):
    """A report or roll-up file could not be written; the master workbook is never touched by reports."""

    template = (
        "报表文件 {path} 没有写成（{detail}）。总台账没有改动。"
        "请检查磁盘空间和该文件夹的写入权限，或用 --out 换一个文件夹后重新运行。"
    )


class OutNotXlsx(WorkbenchError):
    """--out of the roll-up names a spreadsheet file of another kind than .xlsx."""

    template = (
        "--out {path}：汇总工作簿只能保存为 .xlsx 文件，例如 --out 各支部党建工作汇总.xlsx；"
        "也可以给出一个文件夹，汇总会以“各支部党建工作汇总.xlsx”为名放在里面。"
    )


class WorkbookProtected(WorkbenchError):
    """The workbook's structure is protected: sheets cannot be added, renamed or deleted."""

    template = (
        "工作簿 {path} 的结构受保护（审阅 → 保护工作簿），程序不能替换生成表，没有写入任何内容。"
        "请先点“审阅 → 保护工作簿”取消保护，再点“刷新”；之后可以重新保护。"
    )


class SheetProtected(WorkbenchError):
    """A protected staff sheet holds formulas that point at a generated sheet; they could not be re-pointed."""

    template = (
        "工作表“{path}”受保护，其中有引用生成表的公式，程序无法让它们指向新的生成表，没有写入任何内容。"
        "请在该表上点“审阅 → 撤消工作表保护”，再点“刷新”；之后可以重新保护。"
    )


class CloudWorkbook(WorkbenchError):
    """The workbook was opened from a OneDrive/SharePoint address whose local file cannot be found."""

    template = (
        "这份台账是从 OneDrive/SharePoint 网址打开的（{path}），程序找不到它在本机的文件，没有读取或写入任何内容。"
        "请在“文件资源管理器”的 OneDrive 文件夹里直接双击打开台账再点按钮；或把台账另存到本机文件夹（如 D:\\党建）后使用。"
    )


class ReadOnlyWorkbook(WorkbenchError):
    """The workbook file is marked read-only: writing it would override the owner's choice."""

    template = "工作簿 {path} 是只读文件，程序没有写入任何内容。请在文件属性中取消“只读”后再运行（只校验可以照常运行）。"


class FolderNotWritable(WorkbenchError):
    """The folder of the workbook (or of its backups) cannot be written."""

    template = (
        "无法在文件夹 {path} 中写入（{detail}），工作簿没有改动。"
        "请把总台账复制到可以写入的文件夹（如“文档”或桌面）后再运行。"
    )


class BackupNotAFolder(WorkbenchError):
    """A file named 备份 stands where the backup folder belongs."""

    template = (
        "“{path}”是一个文件，不是文件夹，程序无法在其中保存写入前的备份，工作簿没有改动。"
        "请把这个名为“备份”的文件改名或移走后再运行。"
    )


class LockFailed(WorkbenchError):
    """The lock file beside the backups cannot be created or opened."""

    template = "无法建立锁文件 {path}（{detail}），工作簿没有改动。请删除这个文件（或同名的快捷方式、文件夹）后再运行。"


class NameTooLong(WorkbenchError):
    """The workbook's name leaves no room for the names of its backup and temporary file."""

    template = (
        "工作簿的文件名太长（{detail}），程序无法在它旁边建立备份和临时文件，工作簿没有改动。"
        "请把文件名改短（建议不超过 60 个汉字）后再运行：{path}"
    )


class DiskFull(WorkbenchError):
    """The disk filled up while writing; the original is untouched."""

    template = (
        "写入 {path} 时磁盘空间不足，原工作簿没有改动。"
        "请清理磁盘空间（可以把“备份”文件夹中较早的备份移到别处）后再运行。"
    )


class BackupFailed(WorkbenchError):
    """The backup before a write could not be made and checked; nothing was written."""

    template = (
        "写入前的备份没有做成（{detail}），工作簿没有改动：{path}。"
        "请清理磁盘空间（可以把“备份”文件夹中较早的备份移到别处）、检查“备份”文件夹的写入权限后再运行。"
    )


class CannotWrite(WorkbenchError):
    """Writing the new file beside the workbook failed for another reason of the file system."""

    template = "无法写入 {path}（{detail}），原工作簿没有改动。请检查磁盘和文件夹后再运行；如仍不行，请把日志文件发给维护人员。"


class ForeignSheet(WorkbenchError):
    """Sheets carry the names of generated sheets but were not written by us: they are never replaced."""

    template = (
        "工作簿 {path} 里已有{sheets}，但它不是本程序生成的（可能是手工建立的），程序没有写入任何内容。"
        "请把{it}改名（例如“{first}（手工）”）后再运行；刷新会重新生成“{first}”。"
    )

    def __init__(self, path: str | Path, names: list[str], technical: str = ""):
        self.names = list(names)
        super().__init__(path, "、".join(self.names), technical)

    def user_message(self) -> str:
        quoted = "、".join(f"“{name}”" for name in self.names)
        sheets = f"一张{quoted}工作表" if len(self.names) == 1 else f"{quoted}这 {len(self.names)} 张工作表"
        text = self.template.format(path=self.path, sheets=sheets, it="这张表" if len(self.names) == 1 else "这些表",
                                    first=self.names[0])
        return text if len(self.names) == 1 else text.replace("但它不是", "但它们不是")
