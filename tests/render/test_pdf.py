"""The report as LibreOffice lays it out: converted to PDF, the sample week fills two or three pages
(as the fonts at hand measure it), the page number is printed from page 2 and not on page 1, and
the signature block is never split: it stands whole on the page of the closing sentence. Skipped
when LibreOffice is not installed."""

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


def test_sample_report_has_two_or_three_pages(pdf: Path) -> None:
    assert _pages(pdf) in (2, 3)  # 3 where Times New Roman is replaced by wider Liberation Serif


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_page_number_only_from_page_two_and_the_signature_whole(pdf: Path) -> None:
    def page(number: int) -> list[str]:
        text = subprocess.run(
            ["pdftotext", "-layout", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True, text=True, check=True,
        ).stdout
        return [line.strip() for line in text.splitlines() if line.strip()]

    pages = [page(number) for number in range(1, _pages(pdf) + 1)]
    assert pages[0][0].startswith("ỦY BAN NHÂN DÂN")
    assert [found[0] for found in pages[1:]] == [str(number) for number in range(2, len(pages) + 1)]
    last = " ".join(pages[-1])
    # before issue 15 the last page held only "Nguyễn Văn An" and its number: the block split
    assert "Nơi nhận:" in last and "KT. CHỦ TỊCH" in last and "Nguyễn Văn An" in last and "./." in last
