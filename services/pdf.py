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
import sys
import tempfile
from pathlib import Path

from workbook.errors import PdfFailed, technical

WINDOWS_PATHS = (
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)
TIMEOUT = 180  # seconds; a first start of LibreOffice takes a few
DOWNLOAD = "https://zh-cn.libreoffice.org/"


def not_installed(platform: str = sys.platform) -> str:
    """The notice when LibreOffice is missing, with the way to install it on this system (Windows: the download)."""
    if platform.startswith("linux"):
        how = "请安装 LibreOffice（Debian/Ubuntu：sudo apt-get install libreoffice-calc-nogui fonts-noto-cjk）"
    else:
        how = f"请从 {DOWNLOAD} 下载安装 LibreOffice"
    return f"未找到 LibreOffice，跳过 PDF。需要 PDF 时{how}后重新运行，或用 Excel/WPS 打开报表工作簿后“另存为 PDF”。"


def find_soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((path for path in WINDOWS_PATHS if Path(path).exists()), None)


def pdf_bytes(source: Path, soffice: str) -> bytes:
    """The PDF of `source` (a workbook) as LibreOffice prints it; PdfFailed when it cannot."""
    # A LibreOffice that lingers after the conversion keeps files open on Windows: cleaning up may fail then.
    with tempfile.TemporaryDirectory(prefix="workbench-pdf-", ignore_cleanup_errors=True) as temp:
        profile, outdir = Path(temp) / "profile", Path(temp) / "out"
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                   "--outdir", str(outdir), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfFailed(source, f"超过 {TIMEOUT} 秒没有完成", technical(exc)) from exc
        except OSError as exc:
            raise PdfFailed(source, "LibreOffice 无法启动", technical(exc)) from exc
        produced = outdir / f"{source.stem}.pdf"
        if not produced.exists() or produced.stat().st_size == 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
            raise PdfFailed(source, "LibreOffice 没有生成 PDF 文件", f"exit code {done.returncode}: {' '.join(said)}")
        return produced.read_bytes()
