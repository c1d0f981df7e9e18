"""PDF copies of workbooks through LibreOffice headless (soffice), when it is installed.

LibreOffice Calc prints the report workbook: tables and native charts, A4 as each sheet's
print setup says, Chinese in whatever CJK font it finds (Noto Sans CJK on Debian, from
fonts-noto-cjk; Microsoft YaHei/SimSun on Windows). Calc is what CI already installs;
converting the HTML page instead would need LibreOffice Writer as well.

Each conversion runs with its own throw-away LibreOffice profile, so it works while the
user has LibreOffice open and two conversions never share a profile.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from .errors import PdfFailed

WINDOWS_PATHS = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
TIMEOUT = 180  # seconds; a first start of LibreOffice takes a few
NOT_INSTALLED = (
    "未找到 LibreOffice，跳过 PDF。需要 PDF 时请安装 LibreOffice（https://zh-cn.libreoffice.org/ ；"
    "Debian/Ubuntu：sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk）后重新运行，"
    "或用 Excel/WPS 打开报表工作簿后“另存为 PDF”。"
)


def find_soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((path for path in WINDOWS_PATHS if Path(path).exists()), None)


def pdf_bytes(source: Path, soffice: str) -> bytes:
    """The PDF of `source` (a workbook) as LibreOffice prints it; PdfFailed when it cannot."""
    with tempfile.TemporaryDirectory(prefix="workbench-pdf-") as temp:
        profile, outdir = Path(temp) / "profile", Path(temp) / "out"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(outdir), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfFailed(source, f"超过 {TIMEOUT} 秒没有完成") from exc
        except OSError as exc:
            raise PdfFailed(source, f"无法启动 LibreOffice：{exc.strerror or exc}") from exc
        produced = outdir / f"{source.stem}.pdf"
        if not produced.exists() or produced.stat().st_size == 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"退出码 {done.returncode}"]
            raise PdfFailed(source, detail[0])
        return produced.read_bytes()
