"""The report as LibreOffice lays it out: converted to PDF, the sample week fills two pages, the
page number is printed on page 2 and not on page 1. Skipped when LibreOffice is not installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-writer-nogui): no PDF layout check",
)


def _pages(pdf: Path) -> int:
    pdfinfo = shutil.which("pdfinfo")
    if pdfinfo:
        info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
        return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf.read_bytes()))


@pytest.fixture(scope="module")
def pdf(sample_docx: bytes, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pdf")
    source = work / "BC-tuan-2025-W50-xa-phuoc-giang.docx"
    source.write_bytes(sample_docx)
    profile = (work / "profile").as_uri()
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(work),
         str(source)],
        capture_output=True, check=True, timeout=120,
    )
    result = source.with_suffix(".pdf")
    assert result.exists()
    return result


def test_sample_report_has_two_pages(pdf: Path) -> None:
    assert _pages(pdf) == 2


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_page_number_only_from_page_two(pdf: Path) -> None:
    def page(number: int) -> list[str]:
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        return [line.strip() for line in text.splitlines() if line.strip()]

    first, second = page(1), page(2)
    assert first[0].startswith("ỦY BAN NHÂN DÂN")
    assert second[0] == "2"
    assert "Nơi nhận:" in " ".join(second)
