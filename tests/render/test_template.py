"""The template: the shipped one renders and validates; a replacement is accepted when it renders
with the sample answers and refused, with the reason in Vietnamese, when it does not."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from bot.documents.render import (
    TemplateError,
    render_report,
    sample_answers,
    sample_context,
    sample_contexts,
    validate_template,
)
from tests.render.conftest import ROOT
from tests.render.docx_helpers import full_text, open_docx


@pytest.fixture(scope="module")
def samples(form: Any, period: Any) -> list[dict[str, Any]]:
    return sample_contexts(form, period=period)


def _replace_text(data: bytes, old: str, new: str) -> bytes:
    """A copy of the template with one paragraph's text changed, as an admin would in Word."""
    document = Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        if old in paragraph.text:
            runs = paragraph.runs
            runs[0].text = paragraph.text.replace(old, new)
            for run in runs[1:]:
                run.text = ""
            break
    else:  # pragma: no cover - the test's own mistake
        raise AssertionError(f"{old!r} not in the template")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_shipped_template_validates(template_bytes: bytes, samples: list[dict[str, Any]]) -> None:
    assert validate_template(template_bytes, samples) is None


def test_a_reworded_replacement_is_accepted_and_used(template_bytes: bytes, samples: list[dict[str, Any]]) -> None:
    replacement = _replace_text(
        template_bytes, "Trên đây là báo cáo", "Trên đây là báo cáo tuần ({{ period_label }}) về"
    )
    validate_template(replacement, samples)
    text = full_text(open_docx(render_report(replacement, samples[0])))
    assert "Trên đây là báo cáo tuần (Tuần 50/2025 (từ ngày 08/12 đến 14/12/2025)) về" in text


@pytest.mark.parametrize(
    ("tag", "reason"),
    [
        ("{{ received_total ", "viết sai"),
        ("{% if has_overdue %}không đóng", "viết sai"),
        ("{{ resolved|tien_te }}", "bộ lọc «tien_te» không tồn tại"),
        ("{{ so_ho_so_moi }}", "biến «so_ho_so_moi»"),
        ("{{ ''.__class__.__mro__ }}", "không được phép"),
    ],
)
def test_a_broken_replacement_is_refused_with_the_reason(
    template_bytes: bytes, samples: list[dict[str, Any]], tag: str, reason: str
) -> None:
    broken = _replace_text(template_bytes, "Trên đây là báo cáo", f"Trên đây {tag} là báo cáo")
    with pytest.raises(TemplateError) as caught:
        validate_template(broken, samples)
    assert reason in caught.value.reason


def test_a_variable_used_only_in_the_quiet_week_is_checked(template_bytes: bytes, samples: list[dict[str, Any]]) -> None:
    broken = _replace_text(template_bytes, "- Không có hồ sơ quá hạn.", "- Không có hồ sơ {{ qua_han_moi }}.")
    with pytest.raises(TemplateError, match="qua_han_moi"):
        validate_template(broken, samples)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "trống"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "không phải tệp Word .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "không phải tệp Word .docx"),
    ],
)
def test_a_file_that_is_not_a_docx_is_refused(data: bytes, reason: str, samples: list[dict[str, Any]]) -> None:
    with pytest.raises(TemplateError) as caught:
        validate_template(data, samples)
    assert reason in caught.value.reason


def test_a_zip_that_is_not_a_word_document_is_refused(samples: list[dict[str, Any]]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(TemplateError, match="không phải tệp Word .docx"):
        validate_template(buffer.getvalue(), samples)


def test_sample_context_without_a_form_renders(template_bytes: bytes) -> None:
    context = sample_context()
    text = full_text(open_docx(render_report(template_bytes, context)))
    assert "Giải trình số liệu" in text and "Nguyễn Văn An" in text
    assert sample_answers(overdue=False)["pending_overdue"] == 0


def test_render_from_a_path_twice_uses_the_cached_bytes(samples: list[dict[str, Any]]) -> None:
    path = ROOT / "templates" / "bao-cao-tuan.docx"
    first = render_report(path, samples[0])
    second = render_report(str(path), samples[0])
    assert full_text(open_docx(first)) == full_text(open_docx(second))


def test_authoring_script_writes_a_valid_template(tmp_path: Path, samples: list[dict[str, Any]]) -> None:
    script = ROOT / "templates" / "src" / "make_bao_cao_tuan.py"
    spec = importlib.util.spec_from_file_location("make_bao_cao_tuan", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = module.build(tmp_path / "bao-cao-tuan.docx")
    validate_template(out.read_bytes(), samples)
    assert full_text(open_docx(render_report(out.read_bytes(), samples[0]))) == full_text(
        open_docx(render_report(ROOT / "templates" / "bao-cao-tuan.docx", samples[0]))
    )


def test_benchmark_runs() -> None:
    from bench.bench_render import run

    result = run(2)
    assert set(result) == {"repeats", "median_ms", "p95_ms", "min_ms", "max_ms", "size_kb"}
    assert 0 < result["min_ms"] <= result["median_ms"] <= result["max_ms"]
